using System.Reflection;

namespace StatusPlatform.AppHost;

/// <summary>A service of the suite and where its build output is.</summary>
public sealed record ServiceProject(string Name, string ProjectFolder)
{
    public static readonly ServiceProject Probe = new("probe", "Probe.Service");
    public static readonly ServiceProject Incident = new("incident", "Incident.Service");
    public static readonly ServiceProject Notify = new("notify", "Notify.Service");
    public static readonly ServiceProject StatusApi = new("statusapi", "StatusApi");

    public static IReadOnlyList<ServiceProject> All { get; } = [Incident, Notify, StatusApi, Probe];

    /// <summary>The built service assembly, from the same configuration as the calling assembly (Debug or Release).</summary>
    public string AssemblyPath
    {
        get
        {
            var configuration = typeof(ServiceProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "Configuration").Value ?? "Debug";
            var path = Path.Combine(RepositoryRoot, "src", ProjectFolder, "bin", configuration, "net10.0", $"{ProjectFolder}.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{ProjectFolder} is not built for {configuration}; run dotnet build first.", path);
        }
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StatusPlatform.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No StatusPlatform.sln above {AppContext.BaseDirectory}.");
    }
}
