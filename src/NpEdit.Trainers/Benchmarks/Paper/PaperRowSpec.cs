using NpEdit.Trainers.Editing;

namespace NpEdit.Trainers.Benchmarks.Paper;

/// <summary>How a row of the paper table gets its editor.</summary>
public enum PaperRowKind
{
    /// <summary>NP-Edit trained with the row's settings.</summary>
    NpEdit,
    /// <summary>The supervised baseline (flow matching on pairs), same prior, same wall-clock budget as NP-Edit.</summary>
    Supervised,
    /// <summary>The prior alone, editing by SDEdit with the edited caption.</summary>
    ZeroShot,
}

/// <summary>
/// One row of the reproduction of the paper's tables: what to train (or reuse), how to sample it, and the paper's
/// GEdit-Bench VIEScore Overall for the corresponding row (null where the paper has none).
/// </summary>
public sealed record PaperRowSpec(
    string Name,
    string Label,
    PaperRowKind Kind,
    string PaperRow,
    double? PaperOverall,
    Action<NpEditTrainer.Options>? Configure = null,
    double DataFraction = 1.0,
    int SamplingSteps = 4,
    string? ReuseModelOf = null,
    string? Explanation = null);
