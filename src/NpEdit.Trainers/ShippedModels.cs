namespace NpEdit.Trainers;

/// <summary>
/// Where the models this project trains and ships (the default world's prior and judge) are found: first the
/// <c>models/</c> folder of the repository checkout the process runs in (the current directory or a parent holding
/// <c>NpEdit.MLNet.sln</c>), then the copy the build put beside the application. The checkout comes first because a
/// build's copy goes stale when a shipped model is replaced and the program is not rebuilt.
/// </summary>
public static class ShippedModels
{
    public static string PriorFolder => Find("shapes-prior");
    public static string JudgeFolder => Find("shapes-judge");

    /// <param name="option">The command-line option that points elsewhere, named in the error when the model is not found.</param>
    public static string Find(string name, string? option = null)
    {
        foreach (var root in Roots())
        {
            string candidate = Path.Combine(root, "models", name);
            if (File.Exists(Path.Combine(candidate, "manifest.json"))) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"The shipped model '{name}' was not found under models/ beside the application ({AppContext.BaseDirectory}) or in any parent folder. " +
            "Build the solution (which copies models/ to the output) or " + (option is null ? "pass the folder explicitly." : $"pass {option} <folder>."));
    }

    private static IEnumerable<string> Roots()
    {
        for (var checkout = new DirectoryInfo(Directory.GetCurrentDirectory()); checkout is not null; checkout = checkout.Parent)
        {
            if (File.Exists(Path.Combine(checkout.FullName, "NpEdit.MLNet.sln"))) yield return checkout.FullName;
        }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            yield return dir.FullName;
            dir = dir.Parent;
        }
    }
}
