using StatusPlatform.Incident;
using StatusPlatform.Incident.Rebuild;
using StatusPlatform.ServiceDefaults;

// `dotnet Incident.Service.dll rebuild` rebuilds every read model from the event store and exits (docs/operations.md).
if (RebuildCommand.IsRequested(args))
    return await RebuildCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIncidentService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
