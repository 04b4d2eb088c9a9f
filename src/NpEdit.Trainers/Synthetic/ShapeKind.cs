namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// The shapes of the default world. A scene holds each shape at most once, so a shape noun ("the circle") always
/// names exactly one object; edits, captions and questions rely on that.
/// </summary>
public enum ShapeKind
{
    Circle,
    Square,
    Triangle,
    Star,
    Ring,
}
