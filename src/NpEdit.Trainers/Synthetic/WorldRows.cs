namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Row <c>i</c> of each kind of world data, as a pure function of (seed, i, split): the data views, the CLI and
/// the trainers all read rows through here, so the same seed means the same rows everywhere.
/// </summary>
public static class WorldRows
{
    /// <summary>
    /// A scene and an edit of it (uniform over the categories that apply, or over <paramref name="types"/>). When none
    /// of <paramref name="types"/> applies to the scene (an add edit needs a free cell, a remove edit an object), the
    /// row draws further scenes from its own stream until one applies, so a filtered row is still a function of
    /// (seed, index, split) and unfiltered rows are unchanged.
    /// </summary>
    public static EditSample Edit(int seed, long index, WorldSplit split, IReadOnlyList<EditType>? types = null)
    {
        var rng = WorldSeeds.ForRow(seed, index, split, WorldSeeds.Stream.Edit);
        const int attempts = 1000;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            var scene = SceneSampler.Sample(rng, split);
            if (types is null || types.Any(t => EditSampler.IsApplicable(scene, t, split))) return EditSampler.Sample(scene, rng, split, types);
        }
        throw new InvalidOperationException($"No scene of {attempts} drawn for row {index} admits an edit of type [{string.Join(", ", types!)}].");
    }

    public static CaptionedScene Caption(int seed, long index, WorldSplit split, int maxObjects = SceneLayout.MaxObjects)
    {
        var rng = WorldSeeds.ForRow(seed, index, split, WorldSeeds.Stream.Caption);
        var scene = SceneSampler.Sample(rng, split, maxObjects);
        var captions = Captioner.SamplePair(scene, scene, rng, split);
        return new CaptionedScene(scene, captions.Source, captions.TemplateId);
    }

    /// <summary>
    /// A text-to-image row whose text is, with probability <paramref name="instructionProbability"/>, an edit
    /// instruction read as a description of the one image it should produce (<see cref="InstructedScene"/>), and
    /// otherwise a caption (<see cref="Caption"/>, the same row as with probability 0).
    /// </summary>
    /// <param name="maxObjects">At most this many objects in a captioned scene (instructed scenes are unaffected).</param>
    public static CaptionedScene TextToImage(int seed, long index, WorldSplit split, double instructionProbability, int maxObjects = SceneLayout.MaxObjects)
    {
        if (instructionProbability > 0)
        {
            var rng = WorldSeeds.ForRow(seed, index, split, WorldSeeds.Stream.Instruction);
            if (rng.NextDouble() < instructionProbability) return InstructedScene(rng, split);
        }
        return Caption(seed, index, split, maxObjects);
    }

    /// <summary>
    /// The scene an edit of a random scene produces, captioned by that edit's instruction: "make the circle blue"
    /// under an image with a blue circle. One image per row, never its source: this teaches the text side what an
    /// instruction asks an image to show, the knowledge a large pretrained text encoder brings to real editors,
    /// and no before/after pair.
    /// </summary>
    public static CaptionedScene InstructedScene(Random rng, WorldSplit split)
    {
        var edit = EditSampler.Sample(SceneSampler.Sample(rng, split), rng, split);
        return new CaptionedScene(edit.Target, edit.Instruction, edit.InstructionTemplateId);
    }

    /// <summary>A judge question: an NP-Edit question about an edit with probability <paramref name="npEditFraction"/>, otherwise a general one.</summary>
    public static JudgeQuestion Judge(int seed, long index, WorldSplit split, double npEditFraction = 0.5)
    {
        var rng = WorldSeeds.ForRow(seed, index, split, WorldSeeds.Stream.Judge);
        if (rng.NextDouble() < npEditFraction)
        {
            var edit = EditSampler.Sample(SceneSampler.Sample(rng, split), rng, split);
            return NpEditQuestions.SampleJudgeQuestion(edit, rng, split);
        }
        return QuestionGenerator.Sample(rng, split);
    }
}
