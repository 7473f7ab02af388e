using System.Reflection;

namespace StatusPlatform.Probe.Bench;

/// <summary>The services the bench runs as processes, from the build made with it, in its own configuration (Release for a real run).</summary>
internal static class BuildOutput
{
    public static string Configuration { get; } =
        typeof(BuildOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    /// <summary>The main assembly of <c>src/&lt;project&gt;</c>; it must have been built (the bench's project references build it).</summary>
    public static string Assembly(string project)
    {
        var path = Path.Combine(RepositoryRoot(), "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built for {Configuration}: dotnet build -c {Configuration} bench/Probe.Bench", path);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StatusPlatform.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No StatusPlatform.sln above {AppContext.BaseDirectory}.");
    }
}
