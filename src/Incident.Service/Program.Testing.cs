// Lets tests host this service through WebApplicationFactory<Program>.
public partial class Program;
