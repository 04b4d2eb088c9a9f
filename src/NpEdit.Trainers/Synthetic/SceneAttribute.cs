namespace NpEdit.Trainers.Synthetic;

/// <summary>An attribute two-image questions compare: an object's colour, size or position, or the background.</summary>
internal enum SceneAttribute
{
    Color,
    Size,
    Position,
    Background,
}
