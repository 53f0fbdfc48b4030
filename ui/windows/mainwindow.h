#pragma once

#include <QMainWindow>

namespace starling::ui {

// The operator console's main window. The cluster views (node table, charts, task stream)
// are added by the console issues; until then it shows that no cluster is connected.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace starling::ui
