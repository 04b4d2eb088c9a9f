namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Samples an edit of a scene: a category uniformly among those that apply, its content (<see cref="EditProposals"/>),
/// an instruction template the split may use, and a caption pair for source and target.
/// </summary>
public static class EditSampler
{
    /// <summary>A random edit of a category drawn uniformly from <paramref name="types"/> (all categories by default) that apply to the scene.</summary>
    public static EditSample Sample(Scene source, Random rng, WorldSplit split, IReadOnlyList<EditType>? types = null)
    {
        // The first applicable category of a random permutation is uniform among the applicable ones.
        foreach (var type in rng.Shuffled(types ?? Enum.GetValues<EditType>()))
        {
            if (EditProposals.Applies(source, type, split)) return Phrase(source, EditProposals.Propose(source, type, rng, split), rng, split);
        }
        throw new InvalidOperationException($"None of the edit types [{string.Join(", ", types ?? [])}] applies to \"{source}\".");
    }

    /// <summary>A random edit of one category; throws when it does not apply (see <see cref="IsApplicable"/>).</summary>
    public static EditSample Sample(Scene source, EditType type, Random rng, WorldSplit split)
    {
        if (!EditProposals.Applies(source, type, split))
        {
            throw new InvalidOperationException($"A {type} edit does not apply to \"{source}\".");
        }
        return Phrase(source, EditProposals.Propose(source, type, rng, split), rng, split);
    }

    public static bool IsApplicable(Scene source, EditType type, WorldSplit split) => EditProposals.Applies(source, type, split);

    private static EditSample Phrase(Scene source, EditProposal edit, Random rng, WorldSplit split)
    {
        var template = rng.Pick(HeldOut.Usable(InstructionTemplates.For(edit.Type), split));
        var captions = Captioner.SamplePair(source, edit.Target, rng, split);
        return new EditSample(edit.Type, template.Fill(edit.Slots), edit.ObjectPhrase, captions.Source, captions.Edited,
            source, edit.Target, template.Id, captions.TemplateId);
    }
}
