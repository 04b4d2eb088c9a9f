namespace NpEdit.Transforms.Imaging;

/// <summary>Interpolation used when image tensors change size.</summary>
public enum ResizeMode
{
    Bilinear,
    Bicubic,
    Nearest,
}
