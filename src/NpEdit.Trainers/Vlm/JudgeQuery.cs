namespace NpEdit.Trainers.Vlm;

/// <summary>A Yes/No question about one or more images, asked in a single teacher-forced forward pass.</summary>
public sealed record JudgeQuery(IReadOnlyList<JudgeImage> Images, string Question)
{
    public JudgeQuery(string question, params JudgeImage[] images) : this(images, question)
    {
    }
}
