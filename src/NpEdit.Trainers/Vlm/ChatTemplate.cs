using System.Text;
using System.Text.Json.Serialization;

namespace NpEdit.Trainers.Vlm;

/// <summary>Where the image placeholders go in a user turn.</summary>
public enum ImagePosition
{
    /// <summary>Images first, then the text: what HF's LLaVA-OneVision chat template renders (real checkpoints).</summary>
    [JsonStringEnumMemberName("before_text")] BeforeText,
    /// <summary>
    /// Text first, then the images. Why (tiny judge trained from scratch): under causal attention image tokens placed
    /// after the question can attend to its words, so one layer can compute "does this image match" at the image
    /// positions and the answer position only has to pool; images first leave all of that to the answer position.
    /// </summary>
    [JsonStringEnumMemberName("after_text")] AfterText,
}

/// <summary>
/// The ChatML prompt LLaVA-OneVision's chat template produces for one user turn followed by the assistant's
/// turn opener: by default images first (one <c>&lt;image&gt;</c> line each), then the text, as HF's template renders
/// them; <see cref="ImagePosition.AfterText"/> puts the question first.
/// The answer token is predicted at the last position of this prompt (after <c>assistant\n</c>).
/// </summary>
public static class ChatTemplate
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const string ImagePlaceholder = "<image>";

    /// <summary>
    /// <c>[&lt;|im_start|&gt;system\n{system}&lt;|im_end|&gt;\n]&lt;|im_start|&gt;user\n&lt;image&gt;\n...{question}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n</c>
    /// (after the text: <c>...user\n{question}\n&lt;image&gt;\n...&lt;|im_end|&gt;...</c>).
    /// The tiny judge omits the system turn: it carries no information and costs positions.
    /// </summary>
    public static string UserTurn(int imageCount, string question, string? system = null, ImagePosition position = ImagePosition.BeforeText)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imageCount);
        ArgumentNullException.ThrowIfNull(question);
        if (question.Contains(ImStart, StringComparison.Ordinal) || question.Contains(ImEnd, StringComparison.Ordinal) ||
            question.Contains(ImagePlaceholder, StringComparison.Ordinal))
        {
            throw new ArgumentException("A question may not contain chat control tokens or image placeholders.", nameof(question));
        }
        var text = new StringBuilder();
        if (system is not null) text.Append(ImStart).Append("system\n").Append(system).Append(ImEnd).Append('\n');
        text.Append(ImStart).Append("user\n");
        if (position == ImagePosition.AfterText)
        {
            text.Append(question).Append('\n');
            for (int i = 0; i < imageCount; i++) text.Append(ImagePlaceholder).Append('\n');
            text.Append(ImEnd).Append('\n');
        }
        else
        {
            for (int i = 0; i < imageCount; i++) text.Append(ImagePlaceholder).Append('\n');
            text.Append(question).Append(ImEnd).Append('\n');
        }
        text.Append(ImStart).Append("assistant\n");
        return text.ToString();
    }
}
