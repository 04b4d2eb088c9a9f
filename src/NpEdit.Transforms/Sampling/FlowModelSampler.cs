using NpEdit.Transforms.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Sampling;

/// <summary>
/// Samples images from a <see cref="FlowModel"/>: text-to-image when no reference is given, editing when one is.
/// Noise is drawn from a seeded generator per call, so a given seed gives the same images.
/// </summary>
public static class FlowModelSampler
{
    /// <param name="model">The flow model (its device is used).</param>
    /// <param name="prompts">One prompt (caption or instruction) per image.</param>
    /// <param name="options">Steps, schedule, guidance, mode.</param>
    /// <param name="noise">[B, C, S, S] starting noise.</param>
    /// <param name="reference">[B, 3, H, W] reference images in [-1, 1] (editing), or null.</param>
    /// <param name="freshNoise">Fresh noise per step for re-noising samplers (see <see cref="RowNoise"/>).</param>
    /// <returns>[B, 3, H, W] images in [-1, 1] (not clamped).</returns>
    public static Tensor Sample(FlowModel model, IReadOnlyList<string> prompts, SamplerOptions options, Tensor noise, Tensor? reference = null, Func<int, Tensor>? freshNoise = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool guided = options.GuidanceScale != 1.0;
        var text = model.EncodeText(prompts);
        EncodedText? both = null;
        Tensor? referenceLatent = reference is null ? null : model.Codec.Encode(reference.to(model.Device));
        Tensor? referenceBoth = null;
        if (guided)
        {
            var empty = model.EncodeText(Enumerable.Repeat(string.Empty, prompts.Count).ToList());
            both = text.Concat(empty);
            if (referenceLatent is not null) referenceBoth = torch.cat(new[] { referenceLatent, referenceLatent }, 0);
        }

        // Reading t back costs a device sync per step, so only a guidance interval reads it.
        bool interval = options.GuidanceMinTime > 0 || options.GuidanceMaxTime < 1;
        Tensor Velocity(Tensor x, Tensor t)
        {
            // The sampler passes one time for the whole batch.
            if (!guided || (interval && !options.GuidedAt(t[0].item<float>()))) return model.Velocity(x, t, text, referenceLatent);
            var v = model.Velocity(torch.cat(new[] { x, x }, 0), torch.cat(new[] { t, t }, 0), both!, referenceBoth);
            var halves = v.chunk(2, 0);
            return Guidance.Combine(halves[0], halves[1], options.GuidanceScale);
        }

        var latent = FlowSampler.Sample(Velocity, noise.to(model.Device), options.Grid(), options.Mode, freshNoise);
        return model.Codec.Decode(latent).MoveToOuterDisposeScope();
    }

    /// <summary>Samples with per-row seeds: row r's starting and re-noising noise depend on <paramref name="seeds"/>[r] only,
    /// so a row's result does not depend on which other rows share its batch.</summary>
    public static Tensor SampleSeeded(FlowModel model, IReadOnlyList<string> prompts, SamplerOptions options, IReadOnlyList<long> seeds, Tensor? reference = null)
    {
        var c = model.Config.Transformer;
        var shape = new long[] { c.Channels, c.LatentSize, c.LatentSize };
        using var noise = RowNoise.Draw(seeds, shape, stream: 0);
        return Sample(model, prompts, options, noise, reference, step => RowNoise.Draw(seeds, shape, stream: step + 1));
    }
}
