namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Proposes one question about one scene. Half the time the asked value is the true one, otherwise a random one
/// (which may happen to be true too): the answer is always read off the scene. In <see cref="WorldSplit.Train"/>
/// a question never names a held-out colour/shape combination.
/// </summary>
internal static class SingleImageQuestions
{
    public static JudgeQuestion Propose(string kind, PhraseTemplate template, Scene scene, Random rng, WorldSplit split)
    {
        var slots = new Dictionary<string, string>();
        bool answer;
        switch (kind)
        {
            case QuestionKinds.Presence:
            {
                var shape = rng.Coin() ? rng.Pick(scene.Objects).Shape : rng.Pick(Enum.GetValues<ShapeKind>());
                slots["shape"] = WorldVocabulary.ShapeNoun(shape);
                answer = scene.Has(shape);
                if (template.Slots.Contains("color"))
                {
                    var present = scene.Find(shape);
                    var color = present is not null && rng.Coin() ? present.Color : SceneSampler.SampleColor(rng, split, shape);
                    slots["color"] = color.Name;
                    answer = present is not null && present.Color == color;
                }
                break;
            }
            case QuestionKinds.Color:
            {
                var o = rng.Pick(scene.Objects);
                var color = rng.Coin() ? o.Color : SceneSampler.SampleColor(rng, split, o.Shape);
                (slots["shape"], slots["color"], answer) = (WorldVocabulary.ShapeNoun(o.Shape), color.Name, o.Color == color);
                break;
            }
            case QuestionKinds.Shape:
            {
                var o = rng.Pick(scene.Objects);
                var shape = rng.Coin() ? o.Shape : rng.Pick(Enum.GetValues<ShapeKind>());
                (slots["pos"], slots["shape"], answer) = (WorldVocabulary.CellName(o.Row, o.Col), WorldVocabulary.ShapeNoun(shape), o.Shape == shape);
                break;
            }
            case QuestionKinds.Size:
            {
                var o = rng.Pick(scene.Objects);
                var size = rng.Coin() ? SizeKind.Large : SizeKind.Small;
                (slots["shape"], slots["size"], answer) = (WorldVocabulary.ShapeNoun(o.Shape), WorldVocabulary.SizeWord(size), o.Size == size);
                break;
            }
            case QuestionKinds.Position:
            {
                var o = rng.Pick(scene.Objects);
                var (row, col) = rng.Coin() ? (o.Row, o.Col) : rng.Pick(SceneLayout.AllCells().ToArray());
                (slots["shape"], slots["pos"], answer) = (WorldVocabulary.ShapeNoun(o.Shape), WorldVocabulary.CellName(row, col), o.IsAt(row, col));
                break;
            }
            case QuestionKinds.Background:
            {
                var bg = rng.Coin() ? scene.Background : rng.Pick(Palette.BackgroundColors);
                (slots["bg"], answer) = (bg.Name, bg == scene.Background);
                break;
            }
            case QuestionKinds.Count:
            {
                int n = rng.Coin() ? scene.Objects.Count : 1 + rng.Next(SceneLayout.MaxObjects);
                (slots["count"], slots["noun"], answer) = (WorldVocabulary.NumberWord(n), WorldVocabulary.ObjectNoun(n), scene.Objects.Count == n);
                break;
            }
            default:
                throw new ArgumentException($"'{kind}' is not a single-image question kind.", nameof(kind));
        }
        return new JudgeQuestion([scene], template.Fill(slots), answer, kind, template.Id);
    }
}
