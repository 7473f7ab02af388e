namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>A configuration file of the test's own in the temp folder, deleted at the end.</summary>
public sealed class ConfigFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"statusplatform-{Guid.NewGuid():N}.yaml");

    public static ConfigFile With(string yaml)
    {
        var file = new ConfigFile();
        file.Write(yaml);
        return file;
    }

    public void Write(string yaml) => File.WriteAllText(Path, yaml);

    public void Dispose() => File.Delete(Path);
}
