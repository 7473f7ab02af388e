namespace StatusPlatform.TestSupport;

public static class RepositoryPaths
{
    /// <summary>The folder holding StatusPlatform.sln, found upwards from the test assembly.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StatusPlatform.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No StatusPlatform.sln above {AppContext.BaseDirectory}.");
    }
}
