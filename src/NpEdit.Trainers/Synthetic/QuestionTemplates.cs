namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Question phrasings per general kind; the last of each list is held out of training. Slots: <c>{shape}</c>,
/// <c>{color}</c>, <c>{size}</c>, <c>{pos}</c>, <c>{bg}</c>, <c>{count}</c>/<c>{noun}</c>, and <c>{attr}</c>
/// (an attribute phrase such as "the color of the circle" or "the background color").
/// A presence template with a <c>{color}</c> slot asks about the colour and shape together.
/// </summary>
public static class QuestionTemplates
{
    public static IReadOnlyList<PhraseTemplate> For(string kind) =>
        ByKind.TryGetValue(kind, out var list) ? list : throw new ArgumentException($"No question templates for kind '{kind}'.", nameof(kind));

    public static IEnumerable<PhraseTemplate> All => ByKind.Values.SelectMany(t => t);

    private static readonly Dictionary<string, PhraseTemplate[]> ByKind = new()
    {
        [QuestionKinds.Presence] =
        [
            new("q.presence.is_there", "is there a {shape} in the image?"),
            new("q.presence.has", "does the image have a {shape}?"),
            new("q.presence.colored", "is there a {color} {shape} in the image?"),
            new("q.presence.see", "can you see a {shape}?", HeldOut: true),
        ],
        [QuestionKinds.Color] =
        [
            new("q.color.is", "is the {shape} {color}?"),
            new("q.color.colored", "is the {shape} colored {color}?"),
            new("q.color.look", "does the {shape} look {color}?", HeldOut: true),
        ],
        [QuestionKinds.Shape] =
        [
            new("q.shape.object_in", "is the object in the {pos} a {shape}?"),
            new("q.shape.has_shape", "does the object in the {pos} have the shape of a {shape}?"),
            new("q.shape.thing", "is the thing in the {pos} a {shape}?", HeldOut: true),
        ],
        [QuestionKinds.Size] =
        [
            new("q.size.is", "is the {shape} {size}?"),
            new("q.size.one", "is the {shape} a {size} one?"),
            new("q.size.look", "does the {shape} look {size}?", HeldOut: true),
        ],
        [QuestionKinds.Position] =
        [
            new("q.position.in", "is the {shape} in the {pos}?"),
            new("q.position.located", "is the {shape} located in the {pos}?"),
            new("q.position.found", "can the {shape} be found in the {pos}?", HeldOut: true),
        ],
        [QuestionKinds.Background] =
        [
            new("q.background.is", "is the background {bg}?"),
            new("q.background.image", "is the image background {bg}?"),
            new("q.background.have", "does the image have a {bg} background?", HeldOut: true),
        ],
        [QuestionKinds.Count] =
        [
            new("q.count.number", "is the number of objects in the image {count}?"),
            new("q.count.contain", "does the image contain exactly {count} {noun}?"),
            new("q.count.object_count", "is the object count {count}?", HeldOut: true),
        ],
        [QuestionKinds.CompareSame] =
        [
            new("q.same.same", "are the two images the same?"),
            new("q.same.identical", "are the two images identical?"),
            new("q.same.match", "do the two images match?", HeldOut: true),
        ],
        [QuestionKinds.CompareExcept] =
        [
            new("q.except.apart", "apart from {attr}, are the two images the same?"),
            new("q.except.ignoring", "ignoring {attr}, are the two images identical?"),
            new("q.except.besides", "besides {attr}, do the two images match?", HeldOut: true),
        ],
        [QuestionKinds.CompareAdded] =
        [
            new("q.added.something", "is there something in the second image that is not in the first?"),
            new("q.added.contain", "does the second image contain an object that the first does not?"),
            new("q.added.was", "was an object added in the second image?", HeldOut: true),
        ],
        [QuestionKinds.CompareRemoved] =
        [
            new("q.removed.missing", "is something from the first image missing in the second?"),
            new("q.removed.contain", "does the first image contain an object that the second does not?"),
            new("q.removed.was", "was an object removed in the second image?", HeldOut: true),
        ],
        [QuestionKinds.CompareChanged] =
        [
            new("q.changed.has", "has {attr} changed between the two images?"),
            new("q.changed.different", "is {attr} different in the second image?"),
            new("q.changed.differ", "does {attr} differ between the two images?", HeldOut: true),
        ],
    };
}
