using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Transforms.Data;

/// <summary>
/// Reads an image column as <see cref="RgbImage"/>, whether it holds decoded images (<c>MLImage</c>, from
/// <c>LoadImages</c>) or encoded bytes (<c>VBuffer&lt;byte&gt;</c>, from <c>LoadRawImageBytes</c>, decoded here with the
/// safe decoder's limits). A missing or undecodable image throws <see cref="ImageDecodeException"/> naming the row
/// and column. Pixels are copied; the column's objects are never disposed (they belong to the data view).
/// </summary>
public static class ImageColumnReader
{
    public static bool IsSupported(DataViewType type) =>
        type is ImageDataViewType || (type is VectorDataViewType v && v.ItemType == NumberDataViewType.Byte);

    public static Func<RgbImage> Bind(DataViewRow row, string column, ImageDecodeLimits? limits = null)
    {
        var col = row.Schema[column];
        if (col.Type is ImageDataViewType)
        {
            var getter = row.GetGetter<MLImage>(col);
            return () =>
            {
                MLImage image = null!;
                getter(ref image);
                if (image is null) throw new ImageDecodeException($"row {row.Position}, column '{column}'", "has no image (missing file or empty path)");
                return MLImageInterop.ToRgbImage(image);
            };
        }
        if (col.Type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Byte)
        {
            var getter = row.GetGetter<VBuffer<byte>>(col);
            return () =>
            {
                VBuffer<byte> bytes = default;
                getter(ref bytes);
                return ImageDecoding.Decode(bytes.DenseValues().ToArray(), $"row {row.Position}, column '{column}'", limits);
            };
        }
        throw new ArgumentOutOfRangeException(nameof(column), $"Schema mismatch for image column '{column}': expected Image or Vector<Byte>, got {col.Type}.");
    }

    /// <summary>Reads an optional text column; returns "" when the column is absent.</summary>
    public static Func<string> BindText(DataViewRow row, string? column)
    {
        if (string.IsNullOrEmpty(column) || row.Schema.GetColumnOrNull(column) is null) return () => string.Empty;
        var getter = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[column]);
        return () =>
        {
            ReadOnlyMemory<char> value = default;
            getter(ref value);
            return value.ToString();
        };
    }
}
