namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Finds the object of one grid cell: the 8-connected components of foreground pixels inside the cell, keeping
/// the heaviest (sum of coverage). Working cell by cell keeps neighbours apart even when blur bridges the gap
/// between them; smaller components in the cell (specks, bleed from a neighbour) are ignored.
/// </summary>
internal static class CellSegmenter
{
    /// <summary>Pixel indices of the heaviest component in the rectangle and its mass, or an empty list.</summary>
    public static (List<int> Pixels, float Mass) Largest(bool[] foreground, float[] alpha, int size, (int X0, int Y0, int X1, int Y1) rect)
    {
        var seen = new HashSet<int>();
        var best = new List<int>();
        float bestMass = 0;
        var stack = new Stack<int>();
        for (int y = rect.Y0; y < rect.Y1; y++)
        {
            for (int x = rect.X0; x < rect.X1; x++)
            {
                int start = y * size + x;
                if (!foreground[start] || !seen.Add(start)) continue;
                var component = new List<int>();
                float mass = 0;
                stack.Push(start);
                while (stack.Count > 0)
                {
                    int p = stack.Pop();
                    component.Add(p);
                    mass += alpha[p];
                    int px = p % size, py = p / size;
                    for (int ny = Math.Max(rect.Y0, py - 1); ny <= Math.Min(rect.Y1 - 1, py + 1); ny++)
                    {
                        for (int nx = Math.Max(rect.X0, px - 1); nx <= Math.Min(rect.X1 - 1, px + 1); nx++)
                        {
                            int q = ny * size + nx;
                            if (foreground[q] && seen.Add(q)) stack.Push(q);
                        }
                    }
                }
                if (mass > bestMass) (best, bestMass) = (component, mass);
            }
        }
        return (best, bestMass);
    }
}
