package server

// The services this binary contains. Each package registers itself with
// service.Register in its init function; adding a service is adding a line here.
import (
	_ "github.com/xregion/xregion/internal/service/backup"
	_ "github.com/xregion/xregion/internal/service/cloudtrail"
	_ "github.com/xregion/xregion/internal/service/dynamodb"
	_ "github.com/xregion/xregion/internal/service/ec2"
	_ "github.com/xregion/xregion/internal/service/efs"
	_ "github.com/xregion/xregion/internal/service/iam"
	_ "github.com/xregion/xregion/internal/service/kms"
	_ "github.com/xregion/xregion/internal/service/rds"
	_ "github.com/xregion/xregion/internal/service/secretsmanager"
	_ "github.com/xregion/xregion/internal/service/sns"
	_ "github.com/xregion/xregion/internal/service/sts"
)
