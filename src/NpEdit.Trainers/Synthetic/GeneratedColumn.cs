using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Synthetic;

/// <summary>A column of a <see cref="GeneratedDataView{TRow}"/>: its name, ML.NET type, and how to read it off a row.</summary>
internal sealed class GeneratedColumn<TRow>
{
    private readonly Func<Func<TRow>, Delegate> _makeGetter;

    private GeneratedColumn(string name, DataViewType type, Func<Func<TRow>, Delegate> makeGetter)
    {
        Name = name;
        Type = type;
        _makeGetter = makeGetter;
    }

    public string Name { get; }
    public DataViewType Type { get; }

    /// <summary>A getter reading this column of whatever row <paramref name="current"/> returns.</summary>
    public Delegate MakeGetter(Func<TRow> current) => _makeGetter(current);

    public static GeneratedColumn<TRow> Text(string name, Func<TRow, string> select) =>
        new(name, TextDataViewType.Instance, current => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = select(current()).AsMemory()));

    public static GeneratedColumn<TRow> Boolean(string name, Func<TRow, bool> select) =>
        new(name, BooleanDataViewType.Instance, current => (ValueGetter<bool>)((ref bool value) => value = select(current())));

    public static GeneratedColumn<TRow> Int32(string name, Func<TRow, int> select) =>
        new(name, NumberDataViewType.Int32, current => (ValueGetter<int>)((ref int value) => value = select(current())));

    /// <summary>
    /// An <see cref="MLImage"/> column. Like ML.NET's own image loader, the getter disposes the image handed back
    /// through <c>ref</c> and returns a fresh one every call, so no consumer ever holds an image another disposed.
    /// </summary>
    public static GeneratedColumn<TRow> Image(string name, int size, Func<TRow, RgbImage> select) =>
        new(name, new ImageDataViewType(size, size), current => (ValueGetter<MLImage>)((ref MLImage value) =>
        {
            value?.Dispose();
            value = MLImageInterop.ToMLImage(select(current()));
        }));
}
