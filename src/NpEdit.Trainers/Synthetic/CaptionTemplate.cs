namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// A scene-level caption phrasing. Slots: <c>{objects}</c> (the object phrases joined with commas and "and"),
/// <c>{bg}</c>, <c>{count}</c> (a number word) and <c>{noun}</c> ("object" or "objects"). <paramref name="Shuffled"/>
/// captions list the objects in a random order instead of reading order.
/// </summary>
public sealed record CaptionTemplate(PhraseTemplate Phrase, bool Shuffled)
{
    /// <summary>The canonical caption: reading order, e.g. "a large red circle in the top left and a small blue square in the center on a gray background".</summary>
    public static CaptionTemplate Canonical { get; } = new(new("caption.on_background", "{objects} on a {bg} background"), Shuffled: false);

    public static IReadOnlyList<CaptionTemplate> All { get; } =
    [
        Canonical,
        new(new("caption.background_with", "a {bg} background with {objects}"), Shuffled: true),
        new(new("caption.count", "{count} {noun} on a {bg} background: {objects}"), Shuffled: false),
        new(new("caption.picture_of", "a picture of {objects} on {bg}"), Shuffled: true),
        new(new("caption.backdrop", "{objects}, set against a {bg} backdrop", HeldOut: true), Shuffled: true),
    ];
}
