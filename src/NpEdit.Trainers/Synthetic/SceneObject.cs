namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// One object: a shape of a colour and size in a cell of the 3x3 grid (<paramref name="Row"/>, <paramref name="Col"/>
/// in 0..2, row 0 at the top). <paramref name="JitterX"/> and <paramref name="JitterY"/> move its centre off the cell
/// centre, as a fraction of the image side, within <see cref="SceneLayout.MaxJitter"/>: they vary the pixels but
/// are not part of what a caption or the oracle's content comparison talks about.
/// </summary>
public sealed record SceneObject(ShapeKind Shape, PaletteColor Color, SizeKind Size, int Row, int Col, float JitterX, float JitterY)
{
    /// <summary>Same shape, colour, size and cell; jitter ignored.</summary>
    public bool SameContent(SceneObject other) =>
        Shape == other.Shape && Color == other.Color && Size == other.Size && Row == other.Row && Col == other.Col;

    public bool IsAt(int row, int col) => Row == row && Col == col;

    /// <summary>Row-major cell index 0..8, the reading order captions use.</summary>
    public int CellIndex => Row * SceneLayout.GridSize + Col;
}
