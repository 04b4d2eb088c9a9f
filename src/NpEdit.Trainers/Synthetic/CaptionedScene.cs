namespace NpEdit.Trainers.Synthetic;

/// <summary>A scene and one sampled caption of it: a text-to-image training row before rendering.</summary>
public sealed record CaptionedScene(Scene Scene, string Caption, string TemplateId);
