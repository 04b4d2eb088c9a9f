namespace NpEdit.Trainers;

/// <summary>
/// Where the models this project trains and ships (the default world's prior and judge) are found: copied beside
/// the application under <c>models/</c> by the build, or in the repository's <c>models/</c> folder.
/// </summary>
public static class ShippedModels
{
    public static string PriorFolder => Find("shapes-prior");
    public static string JudgeFolder => Find("shapes-judge");

    public static string Find(string name)
    {
        foreach (var root in Roots())
        {
            string candidate = Path.Combine(root, "models", name);
            if (File.Exists(Path.Combine(candidate, "manifest.json"))) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"The shipped model '{name}' was not found under models/ beside the application ({AppContext.BaseDirectory}) or in any parent folder. " +
            "Build the solution (which copies models/ to the output) or pass the folder explicitly.");
    }

    private static IEnumerable<string> Roots()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            yield return dir.FullName;
            dir = dir.Parent;
        }
    }
}
