using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>
/// 200 with a v2 JSON body, serialized up front so that GET and HEAD carry the same headers (Content-Length
/// included), and HEAD no body on any server: Kestrel drops a HEAD body by itself, the in-memory test server does not.
/// </summary>
public sealed class StatusPageJson<T>(T value, JsonTypeInfo<T> typeInfo)
    : IResult, IValueHttpResult, IValueHttpResult<T>, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public T Value => value;

    object? IValueHttpResult.Value => value;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string ContentType => JsonContentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(httpContext.Request.Method))
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }
}
