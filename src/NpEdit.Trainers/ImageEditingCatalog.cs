using Microsoft.ML;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Supervised;
using NpEdit.Trainers.TextToImage;

namespace NpEdit.Trainers;

/// <summary>
/// Entry point of the library's estimators: <c>mlContext.ImageEditing().Trainers.NpEdit(options)</c>. It hangs off the
/// <see cref="MLContext"/> itself because the estimators need its device settings (GpuDeviceId, FallbackToCpu), which
/// ML.NET's own catalogs do not expose to third parties.
/// </summary>
public sealed class ImageEditingCatalog
{
    internal ImageEditingCatalog(MLContext context)
    {
        Context = context;
        Trainers = new ImageEditingTrainers(context);
    }

    public MLContext Context { get; }
    public ImageEditingTrainers Trainers { get; }
}

/// <summary>The trainers of <see cref="ImageEditingCatalog"/>.</summary>
public sealed class ImageEditingTrainers
{
    private readonly MLContext _context;

    internal ImageEditingTrainers(MLContext context) => _context = context;

    /// <summary>NP-Edit: an editor trained without before/after pairs, from a VLM judge and distribution matching.</summary>
    public NpEditTrainer NpEdit(NpEditTrainer.Options options) => new(_context, options);

    /// <summary>NP-Edit with default settings and the given columns and length.</summary>
    public NpEditTrainer NpEdit(string imageColumnName = "Image", string instructionColumnName = "Instruction",
        string sourceCaptionColumnName = "SourceCaption", string editedCaptionColumnName = "EditedCaption", int steps = 1500, long seed = 0) =>
        new(_context, new NpEditTrainer.Options
        {
            ImageColumnName = imageColumnName,
            InstructionColumnName = instructionColumnName,
            SourceCaptionColumnName = sourceCaptionColumnName,
            EditedCaptionColumnName = editedCaptionColumnName,
            Steps = steps,
            Seed = seed,
        });

    /// <summary>The supervised baseline: flow matching on (source, instruction, target) pairs.</summary>
    public SupervisedEditTrainer Supervised(SupervisedEditTrainer.Options options) => new(_context, options);

    /// <summary>Flow-matching pretraining of a text-to-image prior.</summary>
    public TextToImageFlowTrainer TextToImagePrior(TextToImageFlowTrainer.Options options) => new(_context, options);
}

/// <summary>Adds <see cref="ImageEditingCatalog"/> to <see cref="MLContext"/>.</summary>
public static class ImageEditingCatalogExtensions
{
    public static ImageEditingCatalog ImageEditing(this MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ImageEditingCatalog(context);
    }
}
