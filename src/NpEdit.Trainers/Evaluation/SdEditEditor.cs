using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using NpEdit.Transforms.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Evaluation;

/// <summary>
/// The zero-shot baseline: the text-to-image prior alone, editing by SDEdit. The source is re-noised to an
/// intermediate time t0, x = (1 − t0)·y + t0·ε, and denoised with the edited caption over the rest of the few-step
/// grid (no reference tokens: the prior never learned to use them). Large t0 follows the caption better and keeps
/// less of the source. Reading the instruction instead of the edited caption measures how much a prior's text side
/// understands instructions (a prior pretrained with instruction-captioned rows, WorldRows.InstructedScene).
/// </summary>
public sealed class SdEditEditor : IImageEditor
{
    private readonly FlowModel _prior;

    /// <param name="writer">
    /// Where the text comes from when given: the caption a writer writes from each source image and instruction, as the
    /// main job's editor reads it; the row's edited caption is then never read. Not with <paramref name="readsInstruction"/>.
    /// </param>
    public SdEditEditor(FlowModel prior, double startTime = 0.6, int steps = 4, double guidance = 3.0, double shift = 3.0, bool readsInstruction = false,
        IEditTextWriter? writer = null)
    {
        if (readsInstruction && writer is not null) throw new ArgumentException("The prior reads either the instruction or the writer's caption, not both.", nameof(writer));
        ReadsInstruction = readsInstruction;
        Writer = writer;
        _prior = prior;
        StartTime = startTime;
        Steps = steps;
        Guidance = guidance;
        Shift = shift;
    }

    public double StartTime { get; }
    public int Steps { get; }
    public double Guidance { get; }
    public double Shift { get; }
    public bool ReadsInstruction { get; }
    /// <summary>The writer whose captions the prior reads (null: the row's edited caption or instruction).</summary>
    public IEditTextWriter? Writer { get; }
    public string Name => $"zero-shot SDEdit (t0 {StartTime}, {Steps} steps{(ReadsInstruction ? ", instruction" : Writer is not null ? ", writer's caption" : "")})";

    public IReadOnlyList<RgbImage> Edit(IReadOnlyList<EditRequest> requests, IReadOnlyList<long> seeds)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int size = _prior.Config.ImageSize;
        var sources = torch.stack(requests.Select(r =>
        {
            var t = ImageTensors.ToTensor(r.Source);
            return r.Source.Width == size && r.Source.Height == size ? t : ImageTensors.Resize(t, size, size);
        }).ToArray()).to(_prior.Device);
        var c = _prior.Config.Transformer;
        var noise = RowNoise.Draw(seeds, new long[] { c.Channels, c.LatentSize, c.LatentSize }, stream: 0).to(_prior.Device);
        var latent = _prior.Codec.Encode(sources).Mul(1 - StartTime).Add(noise.Mul(StartTime));
        // The grid from t0 to 0 with the given number of steps, shifted like the editor's own schedule.
        var grid = Enumerable.Range(0, Steps + 1).Select(i => i == Steps ? 0.0 : StartTime * FlowSchedule.Shift(1.0 - (double)i / Steps, Shift)).ToArray();
        var texts = Writer is not null
            ? Writer.Write(requests.Select(r => r.Source).ToList(), requests.Select(r => r.Instruction).ToList())
            : requests.Select(r => ReadsInstruction ? r.Instruction : r.EditedCaption).ToList();
        var edited = new EncodedTextPair(_prior, texts);
        FlowSampler.VelocityField velocity = (x, t) =>
        {
            var v = _prior.Velocity(torch.cat(new[] { x, x }, 0), torch.cat(new[] { t, t }, 0), edited.Both).chunk(2, 0);
            return NpEdit.Transforms.Sampling.Guidance.Combine(v[0], v[1], Guidance);
        };
        var result = FlowSampler.Sample(velocity, latent, grid);
        return ImageTensors.ToRgbImages(_prior.Codec.Decode(result).Clamp(-1, 1).cpu());
    }

    /// <summary>Conditional and empty prompts encoded once and stacked (conditional first).</summary>
    private sealed class EncodedTextPair
    {
        public EncodedTextPair(FlowModel model, IReadOnlyList<string> prompts)
        {
            var conditional = model.EncodeText(prompts);
            var empty = model.EncodeText(Enumerable.Repeat(string.Empty, prompts.Count).ToList());
            Both = conditional.Concat(empty);
        }

        public EncodedText Both { get; }
    }
}
