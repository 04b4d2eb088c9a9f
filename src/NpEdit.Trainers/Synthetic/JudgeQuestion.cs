namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// A Yes/No question about one or two scenes (<paramref name="Images"/> in the order they are shown) with its true
/// answer. <paramref name="Kind"/> is one of <see cref="QuestionKinds"/>; <paramref name="TemplateId"/> names the
/// phrasing, so held-out phrasings can be told apart.
/// </summary>
public sealed record JudgeQuestion(IReadOnlyList<Scene> Images, string Question, bool Answer, string Kind, string TemplateId = "");
