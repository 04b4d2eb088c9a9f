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
        var (backgrounds, shapes, colors, sizes) = SceneProbe.Labels(scenes);
        int n = scenes.Count;
        long d = shape.shape[1];
        var objects = Look(shape, shapes).Add(Look(color, colors)).Add(Look(size, sizes)).view(n, Cells, d);
        var tokens = objects.Add(Look(background, backgrounds).unsqueeze(1)).Add(cell.unsqueeze(0));
        return tokens.MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Encode"/> with each blend's cell token moved <c>Amount</c> of the way from its colour's
    /// token to the other colour's (<see cref="ColorBlends"/>): the token of an object whose colour is that mix.</summary>
    public Tensor EncodeBlended(IReadOnlyList<Scene> scenes, IReadOnlyList<ColorBlend> blends)
    {
        using var scope = NewDisposeScope();
        var tokens = Encode(scenes);
        if (blends.Count == 0) return tokens.MoveToOuterDisposeScope();
        long d = shape.shape[1];
        var amounts = torch.tensor(blends.Select(b => (float)b.Amount).ToArray(), device: color.device).unsqueeze(1);
        var shift = Look(color, blends.Select(b => b.ToColor).ToArray()).sub(Look(color, blends.Select(b => b.FromColor).ToArray())).mul(amounts);
        var rows = torch.tensor(blends.Select(b => (long)b.Image * Cells + b.Cell).ToArray(), device: color.device);
        using var one = 1.0.ToScalar();
        var blended = tokens.reshape(scenes.Count * Cells, d).index_add(0, rows, shift, one).view(scenes.Count, Cells, d);
        return blended.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// How well cell tokens (<c>[N, 9, D]</c>, e.g. aligned image tokens) name each cell's contents, whatever a decoder
    /// makes of them: a cell counts as read when its token lies nearer the scene token of its true contents than the
    /// scene token of any other contents (empty, or any shape, colour and size) in the same cell and background.
    /// The alignment loss alone cannot say this: its error may sit in the directions that tell objects apart.
    /// Returns the fraction of cells read and, over the occupied cells, of shapes, colours and sizes read.
    /// </summary>
    public CellReading ReadCells(Tensor cells, IReadOnlyList<Scene> scenes)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (contents, candidates) = Contents();
        var (backgrounds, shapes, colors, sizes) = SceneProbe.Labels(scenes);
        var nearest = torch.cdist(Residual(cells, backgrounds), candidates).argmin(1).cpu().data<long>().ToArray();
        int read = 0, occupied = 0, shapeRead = 0, colorRead = 0, sizeRead = 0;
        for (int k = 0; k < nearest.Length; k++)
        {
            var guess = contents[(int)nearest[k]];
            if (guess == (shapes[k], colors[k], sizes[k])) read++;
            if (shapes[k] == 0) continue;
            occupied++;
            if (guess.Shape == shapes[k]) shapeRead++;
            if (guess.Color == colors[k]) colorRead++;
            if (guess.Size == sizes[k]) sizeRead++;
        }
        double Of(int count, int total) => total == 0 ? double.NaN : (double)count / total;
        return new CellReading(Of(read, nearest.Length), Of(shapeRead, occupied), Of(colorRead, occupied), Of(sizeRead, occupied));
    }

    /// <summary>
    /// Cross-entropy of each cell's true contents among all possible contents, with logits the negative squared
    /// distances of the cell's token to their scene tokens (same cell and background): the discriminative
    /// counterpart of the alignment loss. Squared error is content to place a token between the tokens of a star
    /// and a circle; this loss is not. The temperature is a tenth of the mean squared distance between contents, so
    /// an exact token's logit leads those of contents one attribute away by several units.
    /// </summary>
    public Tensor ContentLoss(Tensor cells, IReadOnlyList<Scene> scenes)
    {
        using var scope = NewDisposeScope();
        Tensor candidates, temperature;
        var (backgrounds, shapes, colors, sizes) = SceneProbe.Labels(scenes);
        long[] truth;
        using (torch.no_grad())
        {
            var (contents, table) = Contents();
            candidates = table.detach();
            temperature = torch.cdist(candidates, candidates).Pow(2).mean().Mul(0.1).ClampMin(1e-12);
            var index = new Dictionary<(long, long, long), long>();
            for (int k = 0; k < contents.Count; k++) index[contents[k]] = k;
            truth = Enumerable.Range(0, shapes.Length).Select(k => index[(shapes[k], colors[k], sizes[k])]).ToArray();
        }
        var residual = Residual(cells, backgrounds);
        var distance = residual.unsqueeze(1).sub(candidates.unsqueeze(0)).Pow(2).sum(-1);
        var loss = nn.functional.cross_entropy(distance.neg().div(temperature), torch.tensor(truth, device: residual.device));
        return loss.MoveToOuterDisposeScope();
    }

    // Every possible cell contents, (0, 0, 0) for empty, and the sum of their shape, colour and size tokens [K, D].
    private (List<(long Shape, long Color, long Size)> Contents, Tensor Tokens) Contents()
    {
        var contents = new List<(long Shape, long Color, long Size)> { (0, 0, 0) };
        for (long a = 1; a < shape.shape[0]; a++)
            for (long b = 1; b < color.shape[0]; b++)
                for (long c = 1; c < size.shape[0]; c++)
                    contents.Add((a, b, c));
        var tokens = Look(shape, contents.Select(t => t.Shape).ToArray())
            .Add(Look(color, contents.Select(t => t.Color).ToArray()))
            .Add(Look(size, contents.Select(t => t.Size).ToArray()));
        return (contents, tokens);
    }

    // Cell tokens less the (fixed) background and place parts of their scene tokens, [N*9, D].
    private Tensor Residual(Tensor cells, long[] backgrounds)
    {
        Tensor place;
        using (torch.no_grad()) place = Look(background, backgrounds).unsqueeze(1).Add(cell.unsqueeze(0)).detach();
        return cells.to(shape.dtype).to(shape.device).sub(place).reshape(backgrounds.Length * Cells, shape.shape[1]);
    }

    private Tensor Look(Parameter table, long[] ids) => table.index_select(0, torch.tensor(ids, device: table.device));
}

/// <summary>Fractions of cells whose token names their contents (<see cref="SceneTokens.ReadCells"/>); NaN where no cell is occupied.</summary>
public readonly record struct CellReading(double Cells, double Shape, double Color, double Size);
