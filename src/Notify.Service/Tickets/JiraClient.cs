using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace StatusPlatform.Notify.Tickets;

/// <summary>The four JIRA REST v2 calls tickets need: create an issue, find one by label, comment, transition.</summary>
public sealed class JiraClient(IHttpClientFactory factory, IOptions<JiraOptions> options)
{
    public const string HttpClientName = "jira";

    private readonly JiraOptions _options = options.Value;

    public string BrowseUrl(string key) => $"{_options.BaseUrl!.TrimEnd('/')}/browse/{key}";

    public async Task<string> CreateIssueAsync(string summary, string description, string? assignee, IReadOnlyList<string> labels, CancellationToken ct)
    {
        var fields = new JsonObject
        {
            ["project"] = new JsonObject { ["key"] = _options.Project },
            ["summary"] = summary.Length > 250 ? summary[..250] : summary,
            ["issuetype"] = new JsonObject { ["name"] = _options.IssueType },
            ["labels"] = new JsonArray([.. labels.Select(l => (JsonNode)l)]),
            ["description"] = description,
        };
        if (assignee is not null)
            fields["assignee"] = _options.IsCloud ? new JsonObject { ["accountId"] = assignee } : new JsonObject { ["name"] = assignee };
        var created = await SendAsync(HttpMethod.Post, "rest/api/2/issue", new JsonObject { ["fields"] = fields }, ct);
        return created?["key"]?.GetValue<string>() ?? throw new InvalidOperationException("JIRA created an issue but its answer has no key.");
    }

    /// <summary>The key of an issue carrying <paramref name="label"/>, if one exists (a crash between creating and recording it).</summary>
    public async Task<string?> FindByLabelAsync(string label, CancellationToken ct)
    {
        var jql = Uri.EscapeDataString($"project = \"{_options.Project}\" AND labels = \"{label}\"");
        var found = await SendAsync(HttpMethod.Get, $"rest/api/2/search?jql={jql}&fields=key&maxResults=1", null, ct);
        return found?["issues"]?.AsArray().FirstOrDefault()?["key"]?.GetValue<string>();
    }

    public Task CommentAsync(string key, string body, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"rest/api/2/issue/{Uri.EscapeDataString(key)}/comment", new JsonObject { ["body"] = body }, ct);

    public Task TransitionAsync(string key, string transitionId, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"rest/api/2/issue/{Uri.EscapeDataString(key)}/transitions",
            new JsonObject { ["transition"] = new JsonObject { ["id"] = transitionId } }, ct);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(new Uri(_options.BaseUrl!.TrimEnd('/') + "/"), path));
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Authorization = string.IsNullOrEmpty(_options.User)
            ? new AuthenticationHeaderValue("Bearer", _options.ApiToken)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.User}:{_options.ApiToken}")));
        using var response = await factory.CreateClient(HttpClientName).SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"JIRA answered {(int)response.StatusCode} to {method} /{path.Split('?')[0]}: {(text.Length > 300 ? text[..300] : text)}",
                null, response.StatusCode);
        }
        return response.Content.Headers.ContentLength == 0 || response.StatusCode == System.Net.HttpStatusCode.NoContent
            ? null
            : await response.Content.ReadFromJsonAsync<JsonNode>(ct);
    }
}
