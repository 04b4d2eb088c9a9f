namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The verification question of an edit: a Yes/No question about the edited image alone, in the judge's own
/// single-image phrasing, whose answer is Yes when the edited object has its new attribute ("make the circle blue":
/// "is the circle blue?"). Rows carry it in the <see cref="WorldColumns.EditQuestion"/> column, and the trainer can
/// ask it beside the paper's questions (<c>NpEditTrainer.Options.UseEditQuestion</c>).
/// Not in the paper: it asks a single-image question only of remove edits. A small judge reads single images far
/// better than it compares two (docs/judge.md), and remove edits, the one kind with a single-image question, are
/// the object edits our editors do learn. For real data such questions can be written from the instruction, as
/// VQA-based editing rewards do.
/// </summary>
public static class EditVerification
{
    // Looked up once: a question is made for every generated training row.
    private static readonly PhraseTemplate ColorIs = Template("q.color.is");
    private static readonly PhraseTemplate SizeIs = Template("q.size.is");
    private static readonly PhraseTemplate PositionIn = Template("q.position.in");
    private static readonly PhraseTemplate PresenceColored = Template("q.presence.colored");
    private static readonly PhraseTemplate ShapeObjectIn = Template("q.shape.object_in");
    private static readonly PhraseTemplate BackgroundIs = Template("q.background.is");

    /// <summary>The question, or "" for edits that need none (remove is already asked of the edited image alone; do nothing).</summary>
    public static string Question(EditSample edit)
    {
        var (_, after) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
        return edit.EditType switch
        {
            EditType.Color => Fill(ColorIs, after!),
            EditType.Size => Fill(SizeIs, after!),
            EditType.Move => Fill(PositionIn, after!),
            EditType.Add => Fill(PresenceColored, after!),
            EditType.Replace => Fill(ShapeObjectIn, after!),
            EditType.Background => BackgroundIs.Fill(new Dictionary<string, string> { ["bg"] = edit.Target.Background.Name }),
            _ => "",
        };
    }

    /// <summary>The true answer to the edit's verification question when the edited image shows <paramref name="shown"/>.</summary>
    public static bool TrueAnswer(EditSample edit, Scene shown)
    {
        var (_, after) = EditedObjects.Find(edit.Source, edit.Target, edit.EditType);
        return edit.EditType switch
        {
            EditType.Color => shown.Find(after!.Shape)?.Color == after.Color,
            EditType.Size => shown.Find(after!.Shape)?.Size == after.Size,
            EditType.Move => shown.Find(after!.Shape)?.IsAt(after.Row, after.Col) == true,
            EditType.Add => shown.Objects.Any(o => o.Shape == after!.Shape && o.Color == after.Color),
            EditType.Replace => shown.At(after!.Row, after.Col)?.Shape == after.Shape,
            EditType.Background => shown.Background == edit.Target.Background,
            _ => throw new ArgumentException($"A {edit.EditType} edit has no verification question.", nameof(edit)),
        };
    }

    private static string Fill(PhraseTemplate template, SceneObject o) => template.Fill(new Dictionary<string, string>
    {
        ["shape"] = WorldVocabulary.ShapeNoun(o.Shape),
        ["color"] = o.Color.Name,
        ["size"] = WorldVocabulary.SizeWord(o.Size),
        ["pos"] = WorldVocabulary.CellName(o.Row, o.Col),
    });

    private static PhraseTemplate Template(string id) => QuestionTemplates.All.Single(t => t.Id == id);
}
