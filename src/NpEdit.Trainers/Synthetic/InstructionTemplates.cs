namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Instruction phrasings per edit category; the last of each list is held out of training. Slots:
/// <c>{shape}</c> the edited object's noun, <c>{old_color}</c> its colour, <c>{color}</c> the new colour,
/// <c>{new_shape}</c>, <c>{size}</c> the new size word, <c>{bigger}</c>/<c>{enlarge}</c> the direction words of a
/// size change, <c>{pos}</c> a cell name, <c>{bg}</c> the new background.
/// </summary>
public static class InstructionTemplates
{
    /// <summary>The exact do-nothing instruction of the NP-Edit regulariser (ALGORITHM.md, training step 4).</summary>
    public const string DoNothingInstruction = "do nothing.";

    public static IReadOnlyList<PhraseTemplate> For(EditType type) => type switch
    {
        EditType.Color => Color,
        EditType.Remove => Remove,
        EditType.Add => Add,
        EditType.Replace => Replace,
        EditType.Background => Background,
        EditType.Size => Size,
        EditType.Move => Move,
        EditType.DoNothing => DoNothing,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static IEnumerable<PhraseTemplate> All => Enum.GetValues<EditType>().SelectMany(For);

    private static readonly PhraseTemplate[] Color =
    [
        new("color.make", "make the {shape} {color}"),
        new("color.turn", "turn the {shape} {color}"),
        new("color.change_to", "change the color of the {shape} to {color}"),
        new("color.colour_possessive", "change the {shape}'s colour to {color}"),
        new("color.paint", "paint the {old_color} {shape} {color}"),
        new("color.recolor", "recolor the {shape} in {color}", HeldOut: true),
    ];

    private static readonly PhraseTemplate[] Remove =
    [
        new("remove.remove", "remove the {shape}"),
        new("remove.delete", "delete the {shape}"),
        new("remove.take_out", "take out the {old_color} {shape}"),
        new("remove.erase", "erase the {shape}"),
        new("remove.get_rid", "get rid of the {shape}", HeldOut: true),
    ];

    private static readonly PhraseTemplate[] Add =
    [
        new("add.add", "add a {size} {color} {shape} in the {pos}"),
        new("add.put", "put a {size} {color} {shape} in the {pos}"),
        new("add.place", "place a {size} {color} {shape} in the {pos}"),
        new("add.in_pos", "in the {pos}, add a {size} {color} {shape}"),
        new("add.draw", "draw a {size} {color} {shape} in the {pos}", HeldOut: true),
    ];

    private static readonly PhraseTemplate[] Replace =
    [
        new("replace.replace", "replace the {shape} with a {new_shape}"),
        new("replace.turn_into", "turn the {shape} into a {new_shape}"),
        new("replace.change_to", "change the {shape} to a {new_shape}"),
        new("replace.swap", "swap the {shape} for a {new_shape}"),
        new("replace.transform", "transform the {shape} into a {new_shape}", HeldOut: true),
    ];

    private static readonly PhraseTemplate[] Background =
    [
        new("background.make", "make the background {bg}"),
        new("background.change_to", "change the background to {bg}"),
        new("background.turn", "turn the background {bg}"),
        new("background.set_color", "set the background color to {bg}"),
        new("background.use", "use a {bg} background", HeldOut: true),
    ];

    private static readonly PhraseTemplate[] Size =
    [
        new("size.make_comparative", "make the {shape} {bigger}"),
        new("size.make_size", "make the {shape} {size}"),
        new("size.verb", "{enlarge} the {shape}"),
        new("size.change_size", "change the size of the {shape} to {size}"),
        new("size.resize", "resize the {shape} to be {size}", HeldOut: true),
    ];

    private static readonly PhraseTemplate[] Move =
    [
        new("move.move", "move the {shape} to the {pos}"),
        new("move.shift", "shift the {shape} to the {pos}"),
        new("move.put", "put the {shape} in the {pos}"),
        new("move.drag", "drag the {shape} to the {pos}"),
        new("move.relocate", "relocate the {shape} to the {pos}", HeldOut: true),
    ];

    private static readonly PhraseTemplate[] DoNothing =
    [
        new("nothing.do_nothing", DoNothingInstruction),
        new("nothing.leave", "leave the image as it is"),
        new("nothing.keep", "keep everything the same"),
        new("nothing.no_changes", "make no changes"),
        new("nothing.unchanged", "leave it unchanged", HeldOut: true),
    ];
}
