using StatusPlatform.Notify.Subscribers;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>Reading the subscribers: section of the configuration file: no I/O except the sample file.</summary>
public sealed class SubscriberFileTests
{
    private const string Path = "/etc/statusplatform.yaml";

    [Fact]
    public void The_sample_configuration_file_lists_its_two_subscribers()
    {
        var sample = System.IO.Path.Combine(RepositoryRoot(), "config", "statusplatform.yaml");

        var subscribers = SubscriberFile.Load(sample);

        Assert.Equal(
            [("ops@example.com", "demo-website,demo-api"), ("website-fans@example.com", "demo-website")],
            subscribers.Select(s => (s.Email, string.Join(',', s.Components))));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("page:\n  name: Demo\n", 0)]
    [InlineData("subscribers:\n", 0)]
    [InlineData("subscribers:\n  - email: a@example.com\n    components: [web, web, api]\n", 1)]
    public void A_file_without_subscribers_seeds_nothing_and_repeated_components_count_once(string yaml, int count)
    {
        var subscribers = SubscriberFile.Parse(yaml, Path);

        Assert.Equal(count, subscribers.Count);
        Assert.All(subscribers, s => Assert.Equal(["web", "api"], s.Components));
    }

    [Theory]
    [InlineData("subscribers:\n  - components: [web]\n", "subscribers entry 1 (line 2): email is missing.")]
    [InlineData("subscribers:\n  - email: ''\n    components: [web]\n", "subscribers entry 1 (line 2): email is missing.")]
    [InlineData("subscribers:\n  - email: a@example.com\n    components: [web]\n  - email: not-an-email\n    components: [web]\n",
        "subscribers entry 2 (line 4): 'not-an-email' is not an email address.")]
    [InlineData("subscribers:\n  - email: Ops <ops@example.com>\n    components: [web]\n", "'Ops <ops@example.com>' is not an email address.")]
    [InlineData("subscribers:\n  - email: a@example.com\n", "(line 2): components must list at least one component id")]
    [InlineData("subscribers:\n  - email: a@example.com\n    component: [web]\n", "(line 2): unknown key 'component'")]
    [InlineData("subscribers:\n  - email: a@example.com\n    components: [web]\n  - email: A@Example.com\n    components: [web]\n",
        "subscribers entry 2 (line 4): A@Example.com is listed twice (first at line 2).")]
    [InlineData("components:\n  - id: web\nsubscribers:\n  - email: a@example.com\n    components: [wbe]\n",
        "subscribers entry 1 (line 4): component 'wbe' is not defined under components:.")]
    [InlineData("subscribers:\n  email: a@example.com\n", "line 2: subscribers: must be a list")]
    [InlineData("subscribers:\n  - email: [a@example.com\n", "not valid YAML")]
    public void An_invalid_file_is_rejected_with_the_file_the_entry_and_the_problem(string yaml, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => SubscriberFile.Parse(yaml, Path));

        Assert.StartsWith(Path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_missing_file_is_rejected_with_its_path()
    {
        var missing = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var error = Assert.Throws<InvalidDataException>(() => SubscriberFile.Load(missing));

        Assert.StartsWith($"{missing}: the configuration file (StatusPlatform:ConfigFile) cannot be read", error.Message);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StatusPlatform.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No StatusPlatform.sln above {AppContext.BaseDirectory}.");
    }
}
