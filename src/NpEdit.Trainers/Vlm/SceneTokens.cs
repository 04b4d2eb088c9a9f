using NpEdit.Trainers.Synthetic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Training-only "perfect vision" for a judge with one image token per world cell: each cell's token is the sum of
/// learned embeddings of its object's shape, colour and size (or "empty"), the scene's background and the cell's
/// place. Why: a decoder trained from scratch on Yes/No questions about real image tokens sits at chance for
/// thousands of steps, and it does so just the same when it is given these exact tokens instead (measured,
/// docs/judge.md): what it lacks is the language side. Reading scene tokens, it learns the questions about ten
/// times faster per second (no vision tower, no rendering); the vision tower is then taught to produce the same
/// tokens (<see cref="JudgeTrainer.Options.AlignmentSteps"/>), the way LLaVA first aligns a vision encoder to an
/// already trained language model. Like <see cref="SceneProbe"/> it lives beside the judge, not in it.
/// </summary>
public sealed class SceneTokens : nn.Module
{
    public const int Cells = SceneLayout.GridSize * SceneLayout.GridSize;

#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Parameter shape;
    private readonly Parameter color;
    private readonly Parameter size;
    private readonly Parameter background;
    private readonly Parameter cell;
#pragma warning restore IDE1006

    public SceneTokens(int hiddenSize, double initStd, long seed) : base(nameof(SceneTokens))
    {
        using var generator = new Generator((ulong)seed);
        Parameter Table(int rows) => new(torch.randn(rows, hiddenSize, generator: generator).Mul(initStd));
        shape = Table(Enum.GetValues<ShapeKind>().Length + 1);
        color = Table(Palette.ObjectColors.Count + 1);
        size = Table(Enum.GetValues<SizeKind>().Length + 1);
        background = Table(Palette.BackgroundColors.Count);
        cell = Table(Cells);
        RegisterComponents();
    }

    /// <summary>Cell tokens <c>[N, 9, D]</c> in row-major cell order, the order of a judge's pooled image tokens.</summary>
    public Tensor Encode(IReadOnlyList<Scene> scenes)
    {
        using var scope = NewDisposeScope();
        var device = shape.device;
        var (backgrounds, shapes, colors, sizes) = SceneProbe.Labels(scenes);
        Tensor Look(Parameter table, long[] ids) => table.index_select(0, torch.tensor(ids, device: device));
        int n = scenes.Count;
        long d = shape.shape[1];
        var objects = Look(shape, shapes).Add(Look(color, colors)).Add(Look(size, sizes)).view(n, Cells, d);
        var tokens = objects.Add(Look(background, backgrounds).unsqueeze(1)).Add(cell.unsqueeze(0));
        return tokens.MoveToOuterDisposeScope();
    }
}
