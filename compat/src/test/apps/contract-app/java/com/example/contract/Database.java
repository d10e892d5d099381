package com.example.contract;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** JDBC through DriverManager with the driver in the app's lib/, as an app with an embedded database does. */
public class Database {
  /** Read in the static initialiser: the drivers the context class loader can see. */
  static final List<String> DRIVERS_AT_INIT = ServiceLoader.load(Driver.class).stream()
      .map(p -> p.type().getName()).toList();

  @FunctionName("jdbc")
  public String jdbc(@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) throws SQLException {
    String word = request.getQueryParameters().getOrDefault("word", "none");
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:compat" + System.nanoTime());
        Statement s = c.createStatement()) {
      s.execute("create table words(w varchar(100))");
      s.execute("insert into words values ('" + word.replace("'", "''") + "')");
      try (ResultSet rs = s.executeQuery("select upper(w) from words")) {
        rs.next();
        return rs.getString(1) + " via " + c.getMetaData().getDatabaseProductName();
      }
    }
  }

  @FunctionName("driversAtInit")
  public String driversAtInit(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    return String.join(",", DRIVERS_AT_INIT);
  }
}
