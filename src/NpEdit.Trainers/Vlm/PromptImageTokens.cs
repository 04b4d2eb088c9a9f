namespace NpEdit.Trainers.Vlm;

/// <summary>Where the image tokens of one prompt row lie in a padded batch of input ids.</summary>
internal static class PromptImageTokens
{
    /// <summary>Flat indices (<c>row * length + t</c>) of the image tokens of prompt row <paramref name="row"/>, in prompt order.</summary>
    public static long[] FlatPositions(long[] ids, int row, long length, int imageTokenId)
    {
        var positions = new List<long>();
        for (long t = 0; t < length; t++)
        {
            if (ids[row * length + t] == imageTokenId) positions.Add(row * length + t);
        }
        return positions.ToArray();
    }
}
