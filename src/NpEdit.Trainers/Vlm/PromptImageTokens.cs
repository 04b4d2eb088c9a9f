using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Where the image tokens of each prompt row lie in a padded batch of input ids.</summary>
internal static class PromptImageTokens
{
    /// <summary>
    /// For each row of <paramref name="inputIds"/> (<c>[B,T]</c>), the flat indices (<c>row * T + t</c>) of its image
    /// tokens in prompt order; read from one host copy of the ids, so that every probe of a step shares it.
    /// </summary>
    public static long[][] FlatPositions(Tensor inputIds, int imageTokenId)
    {
        long rows = inputIds.shape[0], length = inputIds.shape[1];
        var ids = inputIds.cpu().data<long>().ToArray();
        var positions = new long[rows][];
        for (long row = 0; row < rows; row++)
        {
            var found = new List<long>();
            for (long t = 0; t < length; t++)
            {
                if (ids[row * length + t] == imageTokenId) found.Add(row * length + t);
            }
            positions[row] = found.ToArray();
        }
        return positions;
    }
}
