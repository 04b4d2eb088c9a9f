using NpEdit.Trainers.Synthetic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A training-only linear read-out of a judge decoder's residual stream at the second image's cell tokens, after a
/// middle layer: for each cell, whether it differs from the same cell of the first image, whether the second
/// image's object there has a shape the first image lacks (added), whether the first image's object there has a
/// shape the second lacks (removed), and whether the backgrounds differ. Why: a two-image question is one bit per
/// pair, and from scratch the decoder stays at chance on them for thousands of steps even when it reads perfect
/// scene tokens and answers every single-image kind (measured, docs/judge.md): it has to find cell-to-cell matching
/// across the images before any answer depends on it. These 36 dense labels per pair supervise that matching
/// directly, as <see cref="SceneProbe"/> supervises the image tokens. Like it, it lives beside the judge.
/// </summary>
public sealed class ComparisonProbe : nn.Module
{
    public const int LabelsPerCell = 4;
    private const int Cells = SceneLayout.GridSize * SceneLayout.GridSize;

#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Linear head;
#pragma warning restore IDE1006

    public ComparisonProbe(int hiddenSize) : base(nameof(ComparisonProbe))
    {
        head = nn.Linear(hiddenSize, LabelsPerCell);
        RegisterComponents();
    }

    /// <summary>Labels <c>[9 * 4]</c> in row-major cell order: cell differs, added shape, removed shape, background differs (1 or 0).</summary>
    public static float[] Labels(Scene first, Scene second)
    {
        var labels = new float[Cells * LabelsPerCell];
        bool background = first.Background != second.Background;
        for (int cell = 0; cell < Cells; cell++)
        {
            var a = first.Objects.FirstOrDefault(o => o.CellIndex == cell);
            var b = second.Objects.FirstOrDefault(o => o.CellIndex == cell);
            bool differs = (a is null) != (b is null) || (a is not null && (a.Shape != b!.Shape || a.Color != b.Color || a.Size != b.Size));
            int k = cell * LabelsPerCell;
            labels[k] = differs ? 1 : 0;
            labels[k + 1] = b is not null && !first.Has(b.Shape) ? 1 : 0;
            labels[k + 2] = a is not null && !second.Has(a.Shape) ? 1 : 0;
            labels[k + 3] = background ? 1 : 0;
        }
        return labels;
    }

    /// <summary>
    /// Mean binary cross-entropy over the labels of each pair, read at the first 9 tokens of the second image of
    /// prompt row <c>Row</c> in <paramref name="tapped"/> (<c>[B,T,D]</c>); <paramref name="imagePositions"/> holds each
    /// row's flat image-token indices (<see cref="PromptImageTokens.FlatPositions"/>).
    /// </summary>
    public Tensor Loss(Tensor tapped, long[][] imagePositions, int tokensPerImage, IReadOnlyList<(int Row, Scene First, Scene Second)> pairs)
    {
        if (pairs.Count == 0) throw new ArgumentException("At least one two-image row is needed.", nameof(pairs));
        if (tokensPerImage < Cells) throw new ArgumentException($"Comparison labels need {Cells} cell tokens per image; the judge has {tokensPerImage}.", nameof(tokensPerImage));
        using var scope = NewDisposeScope();
        var index = new long[pairs.Count * Cells];
        var labels = new float[pairs.Count * Cells * LabelsPerCell];
        for (int p = 0; p < pairs.Count; p++)
        {
            var (row, first, second) = pairs[p];
            var positions = imagePositions[row];
            if (positions.Length < 2 * tokensPerImage) throw new ArgumentException($"Prompt row {row} does not hold two images.", nameof(pairs));
            for (int cell = 0; cell < Cells; cell++) index[p * Cells + cell] = positions[tokensPerImage + cell];
            Labels(first, second).CopyTo(labels, p * Cells * LabelsPerCell);
        }
        var device = tapped.device;
        var states = tapped.reshape(-1, tapped.shape[2]).index_select(0, torch.tensor(index, device: device));
        var logits = head.call(states).to(ScalarType.Float32).reshape(-1);
        var target = torch.tensor(labels, device: device);
        return nn.functional.binary_cross_entropy_with_logits(logits, target).MoveToOuterDisposeScope();
    }
}
