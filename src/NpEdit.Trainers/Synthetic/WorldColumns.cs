namespace NpEdit.Trainers.Synthetic;

/// <summary>Column names of the world's data views (<see cref="WorldDataViews"/>).</summary>
public static class WorldColumns
{
    public const string Image = "Image";
    public const string Instruction = "Instruction";
    public const string SourceCaption = "SourceCaption";
    public const string EditedCaption = "EditedCaption";
    public const string EditType = "EditType";
    public const string EditObject = "EditObject";
    public const string EditQuestion = "EditQuestion";
    public const string TargetImage = "TargetImage";
    public const string SourceSceneJson = "SourceSceneJson";
    public const string TargetSceneJson = "TargetSceneJson";
    public const string SceneJson = "SceneJson";
    public const string SecondSceneJson = "SecondSceneJson";
    public const string HeldOut = "HeldOut";
    public const string Caption = "Caption";
    public const string SecondImage = "SecondImage";
    public const string ImageCount = "ImageCount";
    public const string Question = "Question";
    public const string Answer = "Answer";
    public const string Kind = "Kind";
}
