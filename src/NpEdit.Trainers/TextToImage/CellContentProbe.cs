using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.TextToImage;

/// <summary>
/// A training-only read-out for prior pretraining on the default world: from the flow transformer's target tokens after
/// a middle block, one linear layer must name what the world cell under each token holds (its object's shape, colour
/// and size; class 0 = an empty cell), at every noise level, and the background colour. Why: the prior learns where
/// objects go slowest of all (position stayed near chance for the first ~3000 steps of every recipe, docs/models.md),
/// and at high noise the only way to name a cell's contents is to read the caption's place words, so this loss asks
/// for the layout directly, as a classification, where the flow loss only regresses a hedged mean of pixels. The
/// weights are not part of the prior (they live in checkpoints, for resume, and nowhere else).
/// </summary>
public sealed class CellContentProbe : nn.Module
{
    private static readonly int ShapeClasses = Enum.GetValues<ShapeKind>().Length + 1;
    private static readonly int ColorClasses = Palette.ObjectColors.Count + 1;
    private static readonly int SizeClasses = Enum.GetValues<SizeKind>().Length + 1;
    private static readonly int BackgroundClasses = Palette.BackgroundColors.Count;

#pragma warning disable IDE1006 // state_dict keys follow the field names
    private readonly Linear head;
#pragma warning restore IDE1006

    public CellContentProbe(int hiddenSize) : base(nameof(CellContentProbe))
    {
        head = nn.Linear(hiddenSize, ShapeClasses + ColorClasses + SizeClasses + BackgroundClasses);
        RegisterComponents();
    }

    /// <summary>
    /// Mean cross-entropy over the four parts (shape, colour, size, background), each averaged over the tokens of the
    /// rows with a weight; <paramref name="rowWeights"/> [B] is 0 for rows whose caption was dropped (nothing says
    /// what their cells hold).
    /// </summary>
    /// <param name="hidden">[B, tokens, hidden] target tokens in row-major patch order over a square grid.</param>
    /// <param name="scenes">The scene each row's clean image shows.</param>
    public Tensor Loss(Tensor hidden, IReadOnlyList<Scene> scenes, Tensor rowWeights)
    {
        if (hidden.shape[0] != scenes.Count) throw new ArgumentException($"One scene per row is needed: {hidden.shape[0]} rows, {scenes.Count} scenes.", nameof(scenes));
        using var scope = NewDisposeScope();
        var device = hidden.device;
        int rows = scenes.Count, tokens = (int)hidden.shape[1];
        var (shape, color, size, background) = TokenLabels(scenes, (int)Math.Round(Math.Sqrt(tokens)));

        var logits = head.call(hidden).to(ScalarType.Float32).reshape(rows * tokens, -1);
        var weights = rowWeights.to(ScalarType.Float32).repeat_interleave(tokens);
        var total = weights.sum().ClampMin(1.0);
        Tensor Part(int offset, int classes, long[] labels) =>
            nn.functional.cross_entropy(logits.narrow(1, offset, classes), torch.tensor(labels, device: device), reduction: nn.Reduction.None)
                .mul(weights).sum().div(total);
        var loss = Part(0, ShapeClasses, shape)
            .Add(Part(ShapeClasses, ColorClasses, color))
            .Add(Part(ShapeClasses + ColorClasses, SizeClasses, size))
            .Add(Part(ShapeClasses + ColorClasses + SizeClasses, BackgroundClasses, background))
            .Div(4);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Class labels per token [rows * tokens, row-major within each row] of a <paramref name="gridSize"/> x
    /// <paramref name="gridSize"/> patch grid: the shape, colour and size of the object in the world cell under the
    /// token's centre (0 for an empty cell; <see cref="SceneProbe.Labels"/>'s classes) and the background colour.
    /// </summary>
    public static (long[] Shape, long[] Color, long[] Size, long[] Background) TokenLabels(IReadOnlyList<Scene> scenes, int gridSize)
    {
        var (background, shape, color, size) = SceneProbe.Labels(scenes);
        var cellOfToken = CellOfToken(gridSize);
        const int cells = SceneLayout.GridSize * SceneLayout.GridSize;
        long[] PerToken(Func<int, int, long> label) =>
            Enumerable.Range(0, scenes.Count).SelectMany(r => cellOfToken.Select(c => label(r, c))).ToArray();
        return (PerToken((r, c) => shape[r * cells + c]), PerToken((r, c) => color[r * cells + c]),
            PerToken((r, c) => size[r * cells + c]), PerToken((r, _) => background[r]));
    }

    /// <summary>The world cell (row-major index into the 3x3 grid) under the centre of each token of a
    /// <paramref name="gridSize"/> x <paramref name="gridSize"/> patch grid.</summary>
    public static int[] CellOfToken(int gridSize)
    {
        if (gridSize < 1) throw new ArgumentOutOfRangeException(nameof(gridSize), gridSize, "A patch grid has at least one token per side.");
        int Cell(int index) => Math.Min(SceneLayout.GridSize - 1, (int)Math.Floor((index + 0.5) / gridSize * SceneLayout.GridSize));
        return Enumerable.Range(0, gridSize * gridSize).Select(k => Cell(k / gridSize) * SceneLayout.GridSize + Cell(k % gridSize)).ToArray();
    }
}
