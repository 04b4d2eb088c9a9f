using System.Globalization;
using System.Text;
using NpEdit.Trainers.Evaluation;
using NpEdit.Transforms.IO;

namespace NpEdit.Trainers.Benchmarks.Paper;

/// <summary>A claim of the paper checked against our measurements.</summary>
public sealed record ClaimCheck(string Claim, bool? Holds, string Evidence);

/// <summary>
/// Writes <c>docs/results.md</c> (the paper's table layout beside our measurements, per-category tables, claim
/// checks, contact sheets, loss curves) and <c>docs/results.json</c>. A hand-written discussion in
/// <c>docs/results-discussion.md</c>, if present, is included verbatim, so reruns never overwrite it.
/// </summary>
public static class PaperReport
{
    public static IReadOnlyList<ClaimCheck> Claims(IReadOnlyDictionary<string, PaperRowResult> r)
    {
        var claims = new List<ClaimCheck>();
        if (r.TryGetValue("np-edit", out var full))
        {
            if (r.TryGetValue("supervised-4", out var sup))
            {
                ClaimCheck OnPar(string claim, PaperRowResult row)
                {
                    double ratio = row.EditSuccess.Value / Math.Max(1e-9, sup.EditSuccess.Value);
                    return new(claim, ratio >= 0.95, $"edit_success {F(row.EditSuccess)} vs {F(sup.EditSuccess)}: ratio {ratio:F3}");
                }
                claims.Add(OnPar("Without pairs, NP-Edit is on par with a supervised editor at 4 steps (target: edit_success >= 0.95 x supervised)", full));
                // The supervised editor reads the instruction; so does this row's student, which makes it the like-for-like test.
                if (r.TryGetValue("np-edit-instruction", out var paperEditor))
                    claims.Add(OnPar("Like for like, both reading the instruction: the paper's NP-Edit editor on par with the supervised editor at 4 steps (edit_success >= 0.95 x supervised)", paperEditor));
            }
            if (r.TryGetValue("only-dmd", out var dmd))
                claims.Add(new("Only DMD: edits are not made (edit_success clearly below full NP-Edit, intervals apart)",
                    dmd.EditSuccess.High < full.EditSuccess.Low, $"edit_success {F(dmd.EditSuccess)} vs {F(full.EditSuccess)}"));
            if (r.TryGetValue("only-vlm", out var vlm))
                claims.Add(new("Only VLM: images leave the manifold (realism FD clearly above full NP-Edit, intervals apart)",
                    vlm.RealismFd.Low > full.RealismFd.High, $"realism FD {F(vlm.RealismFd)} vs {F(full.RealismFd)}"));
            if (r.TryGetValue("no-identity", out var noId))
                claims.Add(new("The identity question matters (preservation drops without it)",
                    noId.Preserved.High < full.Preserved.Low ? true : noId.Preserved.Low > full.Preserved.High ? false : null,
                    $"preserved {F(noId.Preserved)} vs {F(full.Preserved)}"));
            if (r.TryGetValue("full-vocab-ce", out var ce))
                claims.Add(new("The Yes/No binary loss beats full-vocabulary CE",
                    ce.EditSuccess.High < full.EditSuccess.Low ? true : ce.EditSuccess.Low > full.EditSuccess.High ? false : null,
                    $"edit_success {F(ce.EditSuccess)} vs {F(full.EditSuccess)}"));
            if (r.TryGetValue("data-1pct", out var d1))
                claims.Add(new("More data helps (1% of rows is worse)",
                    d1.EditSuccess.High < full.EditSuccess.Low ? true : d1.EditSuccess.Low > full.EditSuccess.High ? false : null,
                    $"edit_success {F(d1.EditSuccess)} vs {F(full.EditSuccess)}"));
            if (r.TryGetValue("weak-judge", out var weak))
                claims.Add(new("A stronger judge helps (the weaker judge is worse)",
                    weak.EditSuccess.High < full.EditSuccess.Low ? true : weak.EditSuccess.Low > full.EditSuccess.High ? false : null,
                    $"edit_success {F(weak.EditSuccess)} vs {F(full.EditSuccess)}"));
        }
        return claims;
    }

    /// <summary>
    /// Machine time of the whole run: every row's training and evaluation, however many processes (resumes) it took.
    /// A row that evaluates another row's model adds only its evaluation; the shared copy warm-up, which every row
    /// that started from it includes in its training time, is counted once.
    /// </summary>
    public static double TotalSeconds(IEnumerable<PaperRowResult> rows)
    {
        var list = rows.ToList();
        double shared = list.Select(r => r.SharedWarmupSeconds).DefaultIfEmpty(0).Max();
        return shared + list.Sum(r => r.EvalSeconds + (r.ReusesModelOf is null ? r.TrainSeconds - r.SharedWarmupSeconds : 0));
    }

    public static void Write(IReadOnlyList<PaperRowResult> rows, string docsFolder, string runFolder, double lastProcessSeconds, string? lossPlot)
    {
        var byName = rows.ToDictionary(r => r.Name);
        var claims = Claims(byName);
        double wallSeconds = TotalSeconds(rows);
        File.WriteAllText(Path.Combine(docsFolder, "results.json"), Json.Serialize(new { rows, claims, wall_seconds = wallSeconds, last_process_seconds = lastProcessSeconds }));

        var md = new StringBuilder();
        md.AppendLine("# Results: the paper's claims on the default world");
        md.AppendLine();
        md.AppendLine($"Written by `npedit bench paper` ({DateTime.UtcNow:yyyy-MM-dd}); the rows took {wallSeconds / 3600:F2} h of training and evaluation on this machine "
            + $"(2 CPU cores; summed over every row, across resumed processes{(lastProcessSeconds >= 60 ? $"; the last process ran {lastProcessSeconds / 60:F1} min" : "")}). Every number below was measured by that run. Metrics are means over the same "
            + $"{rows.FirstOrDefault()?.EvalCount ?? 0} held-out evaluation rows for every system, with 95% bootstrap intervals in brackets. "
            + "edit_success, preserved and exact come from the world's oracle (ground truth known); realism FD is the Fréchet "
            + "distance of ImageNet ResNet18 features between outputs and real renders of the targets (lower is better; it "
            + "uses none of this project's models). The paper's column is GEdit-Bench VIEScore Overall (0-10), a different "
            + "benchmark and scale: compare orderings, not values."
            + (rows.Any(r => r.SharedWarmupSeconds > 0)
                ? $" The NP-Edit rows on all the data started from one shared copy warm-up ({rows.Max(r => r.SharedWarmupSeconds) / 60:F1} min, included in each row's train minutes, counted once in the total)."
                : ""));
        md.AppendLine();
        md.AppendLine("| system | paper row | paper Overall | edit_success | preserved | exact | PSNR dB | realism FD | sampling steps | train steps | train min |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            md.AppendLine($"| {r.Label} | {r.PaperRow} | {(r.PaperOverall is { } p ? p.ToString("F2", CultureInfo.InvariantCulture) : "-")} | {F(r.EditSuccess)} | {F(r.Preserved)} | {F(r.Exact)} | {r.Psnr.Value:F1} | {F(r.RealismFd, 2)} | {r.SamplingSteps} | {(r.TrainSteps > 0 && r.ReusesModelOf is null ? r.TrainSteps.ToString(CultureInfo.InvariantCulture) : "-")} | {(r.TrainSeconds > 0 ? (r.TrainSeconds / 60).ToString("F1", CultureInfo.InvariantCulture) : "-")} |");
        }
        md.AppendLine();
        md.AppendLine("## Claims checked");
        md.AppendLine();
        foreach (var c in claims)
        {
            string verdict = c.Holds switch { true => "holds", false => "does not hold", _ => "not resolved (intervals overlap)" };
            md.AppendLine($"- **{c.Claim}**: {verdict}. {c.Evidence}.");
        }
        md.AppendLine();
        string discussion = Path.Combine(docsFolder, "results-discussion.md");
        if (File.Exists(discussion))
        {
            md.AppendLine(File.ReadAllText(discussion).TrimEnd());
            md.AppendLine();
        }
        md.AppendLine("## By edit category (edit_success / preserved)");
        md.AppendLine();
        var categories = rows.SelectMany(r => r.ByCategory.Keys).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList();
        md.AppendLine("| system | " + string.Join(" | ", categories) + " |");
        md.AppendLine("|---|" + string.Concat(categories.Select(_ => "---|")));
        foreach (var r in rows)
        {
            md.AppendLine($"| {r.Label} | " + string.Join(" | ", categories.Select(c => r.ByCategory.TryGetValue(c, out var m) ? $"{m.EditSuccess:F2} / {m.Preserved:F2}" : "-")) + " |");
        }
        md.AppendLine();
        if (rows.Any(r => r.ByNovelty.Count > 0))
        {
            md.AppendLine("## By what training never showed (edit_success / preserved)");
            md.AppendLine();
            md.AppendLine("Seen rows hold no held-out instruction phrasing and no held-out colour/shape combination (`RowNovelty`).");
            md.AppendLine();
            md.AppendLine("| system | " + string.Join(" | ", RowNovelty.Groups) + " |");
            md.AppendLine("|---|" + string.Concat(RowNovelty.Groups.Select(_ => "---|")));
            foreach (var r in rows)
            {
                md.AppendLine($"| {r.Label} | " + string.Join(" | ", RowNovelty.Groups.Select(g => r.ByNovelty.TryGetValue(g, out var m) ? $"{m.EditSuccess:F2} / {m.Preserved:F2}" : "-")) + " |");
            }
            md.AppendLine();
        }
        md.AppendLine("## What each row is");
        md.AppendLine();
        foreach (var r in rows) md.AppendLine($"- **{r.Label}**: {r.Explanation}");
        md.AppendLine();
        if (lossPlot is not null)
        {
            md.AppendLine("## NP-Edit loss curves");
            md.AppendLine();
            md.AppendLine($"![NP-Edit loss terms per step]({lossPlot})");
            md.AppendLine();
        }
        md.AppendLine("## Contact sheets (source, output, target; three rows per category)");
        md.AppendLine();
        foreach (var r in rows)
        {
            string image = $"images/paper/{r.Name}.png";
            string source = Path.Combine(runFolder, r.Name, "sheet.png");
            if (!File.Exists(source)) continue;
            Directory.CreateDirectory(Path.Combine(docsFolder, "images", "paper"));
            File.Copy(source, Path.Combine(docsFolder, image), overwrite: true);
            md.AppendLine($"### {r.Label}");
            md.AppendLine();
            md.AppendLine($"![{r.Label}]({image})");
            md.AppendLine();
        }
        File.WriteAllText(Path.Combine(docsFolder, "results.md"), md.ToString());
    }

    private static string F(Evaluation.Estimate e, int digits = 3) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.Value.ToString("F" + digits, CultureInfo.InvariantCulture)} [{e.Low.ToString("F" + digits, CultureInfo.InvariantCulture)}, {e.High.ToString("F" + digits, CultureInfo.InvariantCulture)}]");
}
