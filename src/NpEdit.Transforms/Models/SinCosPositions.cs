using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// 2-D sine-cosine position table (as DiT and MAE initialise theirs): half the channels encode the row, half the
/// column, each at geometrically spaced frequencies, every entry in [-1, 1].
/// </summary>
public static class SinCosPositions
{
    /// <returns>[grid * grid, hidden], rows in reading order.</returns>
    public static Tensor Table(int grid, int hidden)
    {
        if (hidden % 4 != 0) throw new ArgumentException($"hidden ({hidden}) must be a multiple of 4 for 2-D sine-cosine positions.");
        int quarter = hidden / 4;
        var table = new float[grid * grid * hidden];
        for (int r = 0; r < grid; r++)
        for (int c = 0; c < grid; c++)
        {
            int offset = (r * grid + c) * hidden;
            for (int k = 0; k < quarter; k++)
            {
                double frequency = 1.0 / Math.Pow(10_000, (double)k / quarter);
                table[offset + k] = (float)Math.Sin(r * frequency);
                table[offset + quarter + k] = (float)Math.Cos(r * frequency);
                table[offset + 2 * quarter + k] = (float)Math.Sin(c * frequency);
                table[offset + 3 * quarter + k] = (float)Math.Cos(c * frequency);
            }
        }
        return tensor(table).view(grid * grid, hidden);
    }
}
