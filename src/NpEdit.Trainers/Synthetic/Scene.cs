namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// A picture of the default world: a background colour and its objects. Equality is structural (jitter included,
/// object order included), so two scenes generated from the same seed compare equal; <see cref="SameContent"/> is
/// the comparison captions and the oracle care about. The type does not enforce the sampling rules (the oracle
/// may parse an image into a scene that breaks them); <see cref="SceneRules"/> checks them.
/// </summary>
public sealed record Scene(PaletteColor Background, IReadOnlyList<SceneObject> Objects)
{
    /// <summary>A scene with its objects in reading order (by cell), the order samplers and edits produce.</summary>
    public static Scene Create(PaletteColor background, IEnumerable<SceneObject> objects) =>
        new(background, objects.OrderBy(o => o.CellIndex).ThenBy(o => o.Shape).ToArray());

    /// <summary>Same background and the same objects (shape, colour, size, cell) in any order; jitter ignored.</summary>
    public bool SameContent(Scene other)
    {
        if (Background != other.Background || Objects.Count != other.Objects.Count) return false;
        var remaining = other.Objects.ToList();
        foreach (var o in Objects)
        {
            int match = remaining.FindIndex(o.SameContent);
            if (match < 0) return false;
            remaining.RemoveAt(match);
        }
        return true;
    }

    /// <summary>The object with this shape, or null. Sampled scenes hold each shape at most once.</summary>
    public SceneObject? Find(ShapeKind shape) => Objects.FirstOrDefault(o => o.Shape == shape);

    public bool Has(ShapeKind shape) => Objects.Any(o => o.Shape == shape);

    public SceneObject? At(int row, int col) => Objects.FirstOrDefault(o => o.IsAt(row, col));

    public bool IsOccupied(int row, int col) => Objects.Any(o => o.IsAt(row, col));

    /// <summary>This scene with one object replaced (matched by reference or content), objects kept in reading order.</summary>
    public Scene Replace(SceneObject old, SceneObject replacement) =>
        Create(Background, Objects.Select(o => ReferenceEquals(o, old) || o == old ? replacement : o));

    public Scene Without(SceneObject old) => Create(Background, Objects.Where(o => !(ReferenceEquals(o, old) || o == old)));

    public Scene With(SceneObject added) => Create(Background, Objects.Append(added));

    public string ToJson() => SceneJson.Serialize(this);

    public static Scene FromJson(string json) => SceneJson.Deserialize(json);

    public bool Equals(Scene? other) =>
        other is not null && Background == other.Background && Objects.SequenceEqual(other.Objects);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Background);
        foreach (var o in Objects) hash.Add(o);
        return hash.ToHashCode();
    }

    public override string ToString() => Captioner.Canonical(this);
}
