namespace NpEdit.Trainers.Synthetic;

/// <summary>The <see cref="JudgeQuestion.Kind"/> values: what a question tests, so accuracy can be reported per kind.</summary>
public static class QuestionKinds
{
    // Single image.
    public const string Presence = "presence";
    public const string Color = "color";
    public const string Shape = "shape";
    public const string Size = "size";
    public const string Position = "position";
    public const string Background = "background";
    public const string Count = "count";

    // Two images: (first, second) from a scene and a random perturbation of it.
    public const string CompareSame = "compare_same";
    public const string CompareExcept = "compare_except";
    public const string CompareAdded = "compare_added";
    public const string CompareRemoved = "compare_removed";
    public const string CompareChanged = "compare_changed";

    // The NP-Edit questions (see NpEditQuestions).
    public const string EditSuccess = "edit_success";
    public const string EditRemovePresence = "edit_remove_presence";
    public const string EditIdentity = "edit_identity";
    public const string EditIdentityRemove = "edit_identity_remove";

    // Single-image presence checks of add and replace edits (an extension of the paper's remove question; see
    // NpEditQuestions.PresenceChecks).
    public const string EditAddPresence = "edit_add_presence";
    public const string EditReplacePresence = "edit_replace_presence";
    /// <summary>The row's verification question (see EditVerification), asked of the edited image alone.</summary>
    public const string EditVerify = "edit_verify";

    public static IReadOnlyList<string> SingleImage { get; } = [Presence, Color, Shape, Size, Position, Background, Count];

    public static IReadOnlyList<string> TwoImage { get; } = [CompareSame, CompareExcept, CompareAdded, CompareRemoved, CompareChanged];

    /// <summary>The kinds <see cref="QuestionGenerator"/> produces (the general judge curriculum).</summary>
    public static IReadOnlyList<string> General { get; } = [.. SingleImage, .. TwoImage];

    public static IReadOnlyList<string> NpEdit { get; } = [EditSuccess, EditRemovePresence, EditIdentity, EditIdentityRemove];

    /// <summary>The kinds a world judge row can carry (<see cref="WorldRows.Judge"/>): the general ones and NP-Edit's.</summary>
    public static IReadOnlySet<string> JudgeRows { get; } = General.Concat(NpEdit).ToHashSet(StringComparer.Ordinal);
}
