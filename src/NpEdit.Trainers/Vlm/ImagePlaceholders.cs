namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Expands each image placeholder token into the number of positions one image's features occupy, the way
/// HF's LLaVA processors do before the model scatters features into them.
/// </summary>
public static class ImagePlaceholders
{
    public static int[] Expand(IReadOnlyList<int> ids, int imageTokenId, int tokensPerImage, int expectedImages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerImage, 1);
        int found = ids.Count(id => id == imageTokenId);
        if (found != expectedImages)
        {
            throw new ArgumentException($"The prompt has {found} image placeholders but {expectedImages} images were given.", nameof(ids));
        }
        var result = new int[ids.Count + found * (tokensPerImage - 1)];
        int at = 0;
        foreach (var id in ids)
        {
            if (id == imageTokenId)
            {
                Array.Fill(result, imageTokenId, at, tokensPerImage);
                at += tokensPerImage;
            }
            else
            {
                result[at++] = id;
            }
        }
        return result;
    }
}
