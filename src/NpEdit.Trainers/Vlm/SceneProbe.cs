using NpEdit.Trainers.Synthetic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A training-only linear read-out of a judge's image tokens (<c>[N, TokensPerImage, D]</c>, flattened): the
/// background colour and, for each of the 3x3 cells, the object's shape, colour and size (class 0 = empty cell).
/// Why: a Yes/No answer is one bit per image and a decoder trained from scratch passes little of it back to the
/// tower; this dense, grounded target makes the image tokens linearly encode what the questions ask about.
/// It lives beside the judge, not in it: its weights are not part of the model's (Hugging Face) key layout.
/// </summary>
public sealed class SceneProbe : nn.Module<Tensor, Tensor>
{
    private const int Cells = SceneLayout.GridSize * SceneLayout.GridSize;
    private static readonly int Shapes = Enum.GetValues<ShapeKind>().Length;
    private static readonly int Sizes = Enum.GetValues<SizeKind>().Length;

    private readonly Linear head;

    public SceneProbe(int tokensPerImage, int hiddenSize) : base(nameof(SceneProbe))
    {
        head = nn.Linear(tokensPerImage * hiddenSize, OutputCount);
        RegisterComponents();
    }

    private static int BackgroundClasses => Palette.BackgroundColors.Count;
    private static int ShapeClasses => Shapes + 1;
    private static int ColorClasses => Palette.ObjectColors.Count + 1;
    private static int SizeClasses => Sizes + 1;
    private static int OutputCount => BackgroundClasses + Cells * (ShapeClasses + ColorClasses + SizeClasses);

    /// <summary>Logits <c>[N, outputs]</c> for image tokens <c>[N, T, D]</c>.</summary>
    public override Tensor forward(Tensor imageTokens) => head.call(imageTokens.flatten(1));

    /// <summary>Mean cross-entropy of the background and of every cell's shape, colour and size.</summary>
    public Tensor Loss(Tensor imageTokens, IReadOnlyList<Scene> scenes)
    {
        if (imageTokens.shape[0] != scenes.Count) throw new ArgumentException("One scene per image is needed.", nameof(scenes));
        using var scope = NewDisposeScope();
        var device = imageTokens.device;
        var logits = call(imageTokens).to(ScalarType.Float32);
        var (background, shape, color, size) = Labels(scenes);
        var n = scenes.Count;
        var offset = BackgroundClasses;
        var loss = nn.functional.cross_entropy(logits.narrow(1, 0, BackgroundClasses), torch.tensor(background, device: device));
        foreach (var (labels, classes) in new[] { (shape, ShapeClasses), (color, ColorClasses), (size, SizeClasses) })
        {
            var part = logits.narrow(1, offset, Cells * classes).reshape(n * Cells, classes);
            loss = loss.Add(nn.functional.cross_entropy(part, torch.tensor(labels, device: device)));
            offset += Cells * classes;
        }
        return loss.Div(4).MoveToOuterDisposeScope();
    }

    /// <summary>Class indices: background <c>[N]</c>; shape, colour and size <c>[N*9]</c> in row-major cell order, 0 where a cell is empty.</summary>
    public static (long[] Background, long[] Shape, long[] Color, long[] Size) Labels(IReadOnlyList<Scene> scenes)
    {
        var background = new long[scenes.Count];
        var shape = new long[scenes.Count * Cells];
        var color = new long[scenes.Count * Cells];
        var size = new long[scenes.Count * Cells];
        for (int i = 0; i < scenes.Count; i++)
        {
            background[i] = IndexOf(Palette.BackgroundColors, scenes[i].Background);
            foreach (var o in scenes[i].Objects)
            {
                int k = i * Cells + o.CellIndex;
                shape[k] = (int)o.Shape + 1;
                color[k] = IndexOf(Palette.ObjectColors, o.Color) + 1;
                size[k] = (int)o.Size + 1;
            }
        }
        return (background, shape, color, size);
    }

    internal static int IndexOf(IReadOnlyList<PaletteColor> colors, PaletteColor color)
    {
        for (int i = 0; i < colors.Count; i++) if (colors[i] == color) return i;
        throw new ArgumentException($"'{color}' is not one of the expected colours.", nameof(color));
    }
}
