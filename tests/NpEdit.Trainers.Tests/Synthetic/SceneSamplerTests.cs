using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Synthetic;

public sealed class SceneSamplerTests
{
    [Fact]
    public void The_same_seed_gives_the_same_scene_and_rows()
    {
        SceneSampler.Sample(new Random(42)).Should().Be(SceneSampler.Sample(new Random(42)));
        WorldRows.Edit(5, 123, WorldSplit.Train).Should().BeEquivalentTo(WorldRows.Edit(5, 123, WorldSplit.Train));
        WorldRows.Edit(5, 123, WorldSplit.Train).Source.Should().NotBe(WorldRows.Edit(6, 123, WorldSplit.Train).Source);
    }

    [Fact]
    public void A_row_filtered_to_edits_its_scene_does_not_admit_draws_another_scene_from_its_own_stream()
    {
        // Add needs a free cell and Remove an object; a row of either kind exists for every index, repeatably.
        foreach (var type in new[] { EditType.Add, EditType.Remove, EditType.Move })
        {
            var rows = Enumerable.Range(0, 200).Select(i => WorldRows.Edit(3, i, WorldSplit.Eval, new[] { type })).ToList();
            rows.Should().OnlyContain(r => r.EditType == type);
            rows.Select(r => r.Source).Distinct().Count().Should().BeGreaterThan(150);
            WorldRows.Edit(3, 17, WorldSplit.Eval, new[] { type }).Should().BeEquivalentTo(rows[17]);
        }
        // An unfiltered row is still the first scene of its stream and an edit of it.
        var rng = WorldSeeds.ForRow(3, 5, WorldSplit.Train, WorldSeeds.Stream.Edit);
        var expected = EditSampler.Sample(SceneSampler.Sample(rng, WorldSplit.Train), rng, WorldSplit.Train);
        WorldRows.Edit(3, 5, WorldSplit.Train).Should().BeEquivalentTo(expected);
    }

    [Fact]
    public void Train_and_eval_rows_come_from_different_seed_streams()
    {
        var train = Enumerable.Range(0, 200).Select(i => WorldSeeds.RowSeed(0, i, WorldSplit.Train, WorldSeeds.Stream.Edit));
        var eval = Enumerable.Range(0, 200).Select(i => WorldSeeds.RowSeed(0, i, WorldSplit.Eval, WorldSeeds.Stream.Edit));
        train.Intersect(eval).Should().BeEmpty();
    }

    [Fact]
    public void Every_sampled_scene_obeys_the_rules()
    {
        foreach (var scene in WorldTestData.Scenes(2000, WorldSplit.Eval))
        {
            SceneRules.Violation(scene).Should().BeNull(scene.ToJson());
        }
    }

    [Fact]
    public void Sampling_covers_every_count_shape_colour_size_and_background()
    {
        var scenes = WorldTestData.Scenes(2000, WorldSplit.Eval).ToArray();
        scenes.Select(s => s.Objects.Count).Distinct().Should().BeEquivalentTo([1, 2, 3]);
        var objects = scenes.SelectMany(s => s.Objects).ToArray();
        objects.Select(o => o.Shape).Distinct().Should().HaveCount(5);
        objects.Select(o => o.Color).Distinct().Should().HaveCount(Palette.ObjectColors.Count);
        objects.Select(o => o.Size).Distinct().Should().HaveCount(2);
        objects.Select(o => o.CellIndex).Distinct().Should().HaveCount(9);
        scenes.Select(s => s.Background).Distinct().Should().HaveCount(Palette.BackgroundColors.Count);
    }

    [Fact]
    public void Object_and_background_colours_are_disjoint_and_well_separated()
    {
        Palette.ObjectColors.Should().HaveCount(8);
        Palette.BackgroundColors.Should().HaveCount(4);
        var all = Palette.ObjectColors.Concat(Palette.BackgroundColors).ToArray();
        for (int i = 0; i < all.Length; i++)
        {
            for (int j = i + 1; j < all.Length; j++)
            {
                double d = Math.Sqrt(Math.Pow(all[i].R - all[j].R, 2) + Math.Pow(all[i].G - all[j].G, 2) + Math.Pow(all[i].B - all[j].B, 2));
                d.Should().BeGreaterThan(90, $"{all[i]} and {all[j]} must stay apart under noise");
            }
        }
    }
}
