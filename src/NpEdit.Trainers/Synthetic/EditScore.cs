namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The oracle's verdict on one edited image. <see cref="EditSuccess"/>, <see cref="Preserved"/> and
/// <see cref="Exact"/> are defined on the parsed scene (see <see cref="EditCheck"/>). <see cref="Psnr"/> is in dB
/// against the rendered target on 8-bit pixels, capped at <see cref="EditMetrics.MaxPsnr"/> for identical images.
/// <see cref="MaskedL1Outside"/> is the mean absolute difference from the rendered target, in [0, 1] per channel,
/// over the pixels outside <see cref="EditRegion"/>: how much the edit disturbed what it should have left alone.
/// </summary>
public sealed record EditScore(bool EditSuccess, bool Preserved, bool Exact, double Psnr, double MaskedL1Outside, Scene Parsed)
{
    /// <summary>What broke preservation (<see cref="PreservationFailure.None"/> when preserved).</summary>
    public PreservationFailure Failure { get; init; }
}
