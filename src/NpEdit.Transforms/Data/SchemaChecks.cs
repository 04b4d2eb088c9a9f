using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace NpEdit.Transforms.Data;

/// <summary>
/// Input-schema validation with ML.NET's wording: errors name the column, what it is for, the expected type and
/// the type found.
/// </summary>
public static class SchemaChecks
{
    public static void RequireImage(SchemaShape schema, string column, string role) =>
        Require(schema, column, role, "Image", c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is ImageDataViewType);

    public static void RequireText(SchemaShape schema, string column, string role) =>
        Require(schema, column, role, "String", c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType);

    public static void RequireImage(DataViewSchema schema, string column, string role) => RequireImage(ShapeOf(schema), column, role);
    public static void RequireText(DataViewSchema schema, string column, string role) => RequireText(ShapeOf(schema), column, role);

    /// <summary>The schema shape of a concrete schema (ML.NET's own SchemaShape.Create is internal).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) =>
        new(schema.Where(c => !c.IsHidden).Select(c => MakeColumn(c.Name, c.Type)));

    /// <summary>True when the optional text column exists (and is text); an error when it exists with another type.</summary>
    public static bool OptionalText(SchemaShape schema, string? column, string role)
    {
        if (string.IsNullOrEmpty(column) || !TryFind(schema, column, out _)) return false;
        RequireText(schema, column!, role);
        return true;
    }

    private static void Require(SchemaShape schema, string column, string role, string expected, Func<SchemaShape.Column, bool> ok)
    {
        if (!TryFind(schema, column, out var found))
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for {role} column '{column}': column not found (expected {expected}).");
        }
        if (!ok(found))
        {
            string actual = found.Kind == SchemaShape.Column.VectorKind.Scalar ? found.ItemType.ToString() ?? "unknown" : $"Vector<{found.ItemType}>";
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}.");
        }
    }

    /// <summary>The input shape with columns added (same-named input columns are replaced).</summary>
    public static SchemaShape Append(SchemaShape input, params (string Name, DataViewType Type)[] added)
    {
        var names = new HashSet<string>(added.Select(a => a.Name), StringComparer.Ordinal);
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(added.Select(a => MakeColumn(a.Name, a.Type))));
    }

    public static bool TryFind(SchemaShape schema, string name, out SchemaShape.Column column)
    {
        foreach (var c in schema)
        {
            if (c.Name == name)
            {
                column = c;
                return true;
            }
        }
        column = default!;
        return false;
    }

    // SchemaShape.Column's constructor is internal to ML.NET, yet third-party estimators must return shapes with new
    // columns. This is the one place that reaches it; if ML.NET changes it, the error says so here.
    private static readonly System.Reflection.ConstructorInfo ColumnConstructor =
        typeof(SchemaShape.Column).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .FirstOrDefault(c => c.GetParameters().Length == 5)
        ?? throw new MissingMethodException("SchemaShape.Column's 5-argument constructor was not found; this ML.NET version is not supported.");

    private static SchemaShape.Column MakeColumn(string name, DataViewType type)
    {
        var kind = type is VectorDataViewType vector
            ? (vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector)
            : SchemaShape.Column.VectorKind.Scalar;
        var item = type is VectorDataViewType v ? v.ItemType : type;
        return (SchemaShape.Column)ColumnConstructor.Invoke(new object?[] { name, kind, item, item is KeyDataViewType, null });
    }
}
