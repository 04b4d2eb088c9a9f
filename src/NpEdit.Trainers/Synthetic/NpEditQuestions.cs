namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The NP-Edit question templates (ALGORITHM.md, training step 2; the reimplementation's
/// <c>critic_models/prompts.py</c>), shortened for the world's small judge:
/// <list type="bullet">
/// <item>edit success: source and edited image with the instruction, expected Yes; for a remove edit, asked of
/// the edited image alone, "does the image have a &lt;object&gt;?", expected No;</item>
/// <item>identity: is the second image the same as the first on everything the instruction does not name, expected
/// Yes; for a remove edit, the same ignoring the removed object.</item>
/// </list>
/// Also the judge-training rows built from them, with answers computed from scenes, so (source, true target) is
/// accepted and (source, source) or (source, wrong edit) rejected wherever the question tells them apart.
/// </summary>
public static class NpEditQuestions
{
    public static PhraseTemplate EditSuccessTemplate { get; } =
        new("np.edit_success", "the second image should be the first image edited with the instruction \"{instruction}\". was the instruction carried out?");

    public static PhraseTemplate RemovePresenceTemplate { get; } = new("np.remove_presence", "does the image have a {object}?");

    public static PhraseTemplate IdentityTemplate { get; } =
        new("np.identity", "apart from what the instruction \"{instruction}\" asks for, is the second image the same as the first?");

    public static PhraseTemplate IdentityRemoveTemplate { get; } =
        new("np.identity_remove", "ignoring the {object}, is the second image exactly the same as the first, including the layout?");

    public static IEnumerable<PhraseTemplate> Templates => [EditSuccessTemplate, RemovePresenceTemplate, IdentityTemplate, IdentityRemoveTemplate];

    /// <summary>The edit-success and identity questions for a training row (what the trainer has: type, instruction, object phrase).</summary>
    public static IReadOnlyList<NpEditQuestion> For(EditType type, string instruction, string objectPhrase)
    {
        var slots = new Dictionary<string, string> { ["instruction"] = instruction, ["object"] = objectPhrase };
        if (type == EditType.Remove)
        {
            return
            [
                new(NpEditQuestionRole.EditSuccess, JudgeImages.EditedOnly, RemovePresenceTemplate.Fill(slots), false, QuestionKinds.EditRemovePresence),
                new(NpEditQuestionRole.Identity, JudgeImages.SourceAndEdited, IdentityRemoveTemplate.Fill(slots), true, QuestionKinds.EditIdentityRemove),
            ];
        }
        return
        [
            new(NpEditQuestionRole.EditSuccess, JudgeImages.SourceAndEdited, EditSuccessTemplate.Fill(slots), true, QuestionKinds.EditSuccess),
            new(NpEditQuestionRole.Identity, JudgeImages.SourceAndEdited, IdentityTemplate.Fill(slots), true, QuestionKinds.EditIdentity),
        ];
    }

    public static IReadOnlyList<NpEditQuestion> For(EditSample edit) => For(edit.EditType, edit.Instruction, edit.ObjectPhrase);

    /// <summary>
    /// Extra edit-success questions asked of the edited image alone, for the edits whose object phrase says what
    /// must (add: the added object) or must not (replace: the replaced object) be in the result. Not in the paper,
    /// which asks this only for remove edits; a small judge reads single images far better than it compares two
    /// (docs/judge.md), and on remove edits, the one kind with a single-image question, the editor does edit.
    /// Shapes in the default world are distinct within a scene, so presence alone settles these questions there.
    /// </summary>
    public static IReadOnlyList<NpEditQuestion> PresenceChecks(EditType type, string objectPhrase)
    {
        if (string.IsNullOrWhiteSpace(objectPhrase)) return [];
        var slots = new Dictionary<string, string> { ["object"] = objectPhrase };
        return type switch
        {
            EditType.Add => [new(NpEditQuestionRole.EditSuccess, JudgeImages.EditedOnly, RemovePresenceTemplate.Fill(slots), true, QuestionKinds.EditAddPresence)],
            EditType.Replace => [new(NpEditQuestionRole.EditSuccess, JudgeImages.EditedOnly, RemovePresenceTemplate.Fill(slots), false, QuestionKinds.EditReplacePresence)],
            _ => [],
        };
    }

    /// <summary>The true answer to <paramref name="question"/> when the edit's output is <paramref name="shown"/>.</summary>
    public static bool TrueAnswer(NpEditQuestion question, EditSample edit, Scene shown)
    {
        if (question.Kind is QuestionKinds.EditRemovePresence or QuestionKinds.EditReplacePresence)
        {
            return shown.Has(EditedObjects.Find(edit.Source, edit.Target, edit.EditType).Before!.Shape);
        }
        if (question.Kind == QuestionKinds.EditAddPresence)
        {
            return shown.Has(EditedObjects.Find(edit.Source, edit.Target, edit.EditType).After!.Shape);
        }
        var check = EditCheck.Of(shown, edit.Source, edit.Target, edit.EditType);
        return question.Role == NpEditQuestionRole.EditSuccess ? check.EditSuccess : check.Preserved;
    }

    /// <summary>
    /// A judge-training row for one of the edit's questions, Yes or No with probability one half each. The shown
    /// output is the true target, the source (a copy), or a random extra edit of either; the answer is the truth.
    /// </summary>
    public static JudgeQuestion SampleJudgeQuestion(EditSample edit, Random rng, WorldSplit split)
    {
        var question = rng.Pick(For(edit));
        bool answer = rng.Coin();
        for (int attempt = 0; attempt < 200; attempt++)
        {
            var shown = Candidate(edit, rng, split);
            if (TrueAnswer(question, edit, shown) != answer) continue;
            IReadOnlyList<Scene> images = question.Images == JudgeImages.EditedOnly ? [shown] : [edit.Source, shown];
            var template = question.Kind switch
            {
                QuestionKinds.EditRemovePresence => RemovePresenceTemplate,
                QuestionKinds.EditIdentityRemove => IdentityRemoveTemplate,
                QuestionKinds.EditIdentity => IdentityTemplate,
                _ => EditSuccessTemplate,
            };
            return new JudgeQuestion(images, question.Question, answer, question.Kind, template.Id);
        }
        throw new InvalidOperationException($"No output with answer {answer} to \"{question.Question}\" for \"{edit.Instruction}\".");
    }

    private static readonly EditType[] WrongEdits =
        [EditType.Color, EditType.Remove, EditType.Add, EditType.Replace, EditType.Background, EditType.Size, EditType.Move];

    private static Scene Candidate(EditSample edit, Random rng, WorldSplit split) => rng.Next(4) switch
    {
        0 => edit.Target,
        1 => edit.Source,
        2 => EditSampler.Sample(edit.Target, rng, split, WrongEdits).Target,
        _ => EditSampler.Sample(edit.Source, rng, split, WrongEdits).Target,
    };
}
