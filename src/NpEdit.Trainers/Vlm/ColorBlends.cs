using NpEdit.Trainers.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>One blended object: in image <see cref="Image"/> of a draw, the object in cell <see cref="Cell"/> shows
/// <c>(1 - Amount)</c> of its own colour and <see cref="Amount"/> of another (<see cref="FromColor"/> and
/// <see cref="ToColor"/> are colour-table indices, 1-based like <see cref="SceneProbe.Labels"/>).</summary>
public readonly record struct ColorBlend(int Image, int Cell, long FromColor, long ToColor, double Amount);

/// <summary>
/// Alignment-only training images in which one object's colour lies part of the way between two palette colours,
/// with the scene-token target blended the same way (<see cref="SceneTokens.EncodeBlended"/>). Why: a vision tower
/// aligned only to the palette's exact colours may answer each colour from a flat region around it, so the pixel
/// gradient NP-Edit uses has no component that recolours an object and is mostly adversarial (docs/judge.md, gradient
/// check). Taught that a pixel colour a quarter of the way to red gives a token a quarter of the way to red, the tower's
/// response to colour is a slope, and the judge's gradient has a direction that really recolours. The blend is exact:
/// the scene is rendered twice, the object in either colour, and the two renders mixed, so only that object's pixels
/// (with its anti-aliased edge) change.
/// </summary>
public static class ColorBlends
{
    /// <summary><paramref name="count"/> blended images <c>[count,3,size,size]</c> in [-1,1] drawn from the scenes that
    /// hold an object (with replacement), the scenes they were drawn from, and one blend per image; empty when no scene
    /// holds an object.</summary>
    public static (Tensor Images, IReadOnlyList<Scene> Scenes, IReadOnlyList<ColorBlend> Blends) Draw(
        IReadOnlyList<Scene> scenes, int count, int size, Random random, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var candidates = scenes.Where(s => s.Objects.Count > 0).ToList();
        var chosen = new List<Scene>();
        var blends = new List<ColorBlend>();
        var recoloured = new List<Scene>();
        var colors = Palette.ObjectColors;
        for (int i = 0; i < count && candidates.Count > 0; i++)
        {
            var scene = candidates[random.Next(candidates.Count)];
            var target = scene.Objects[random.Next(scene.Objects.Count)];
            int from = SceneProbe.IndexOf(colors, target.Color);
            int to = random.Next(colors.Count - 1);
            if (to >= from) to++; // any other palette colour, uniformly
            double amount = random.NextDouble();
            chosen.Add(scene);
            recoloured.Add(scene.Replace(target, target with { Color = colors[to] }));
            blends.Add(new ColorBlend(i, target.CellIndex, from + 1, to + 1, amount));
        }
        if (chosen.Count == 0) return (torch.zeros(0, 3, size, size, device: device), chosen, blends);
        using var scope = NewDisposeScope();
        var own = SceneRenderer.RenderBatch(chosen, size, device);
        var other = SceneRenderer.RenderBatch(recoloured, size, device);
        var amounts = torch.tensor(blends.Select(b => (float)b.Amount).ToArray(), device: device).view(-1, 1, 1, 1);
        var images = own.Add(other.sub(own).mul(amounts));
        return (images.MoveToOuterDisposeScope(), chosen, blends);
    }
}
