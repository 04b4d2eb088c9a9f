using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Evaluation;

/// <summary>
/// The share of rows that each <see cref="PreservationFailure"/> accounts for (the shares of every cause but
/// <see cref="PreservationFailure.None"/> sum to one minus the preserved rate): what an editor loses of the scene.
/// </summary>
public static class PreservationBreakdown
{
    /// <summary>The failure causes in reporting order (<see cref="PreservationFailure.None"/> left out).</summary>
    public static IReadOnlyList<PreservationFailure> Causes { get; } =
        Enum.GetValues<PreservationFailure>().Where(f => f != PreservationFailure.None).ToArray();

    public static IReadOnlyDictionary<PreservationFailure, double> Of(IReadOnlyCollection<EditRowResult> rows) =>
        Causes.ToDictionary(cause => cause, cause => rows.Count == 0 ? double.NaN : rows.Count(r => r.Score.Failure == cause) / (double)rows.Count);

    /// <summary>Snake-case name of a cause, as reports and JSON spell it.</summary>
    public static string Name(PreservationFailure cause) => cause switch
    {
        PreservationFailure.Background => "background",
        PreservationFailure.UntouchedMissing => "untouched_missing",
        PreservationFailure.UntouchedShape => "untouched_shape",
        PreservationFailure.UntouchedColor => "untouched_color",
        PreservationFailure.UntouchedSize => "untouched_size",
        PreservationFailure.ExtraObject => "extra_object",
        PreservationFailure.EditedObject => "edited_object",
        _ => "none",
    };
}
