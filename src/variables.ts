/** Template variables: models, columns of a model, metrics of a family (VariableQueryEditor edits the query). */
import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { from, type Observable } from 'rxjs';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { VigilDataSource } from './datasource';
import type { VariableQuery, VigilOptions, VigilQuery } from './types';

export class VigilVariableSupport extends CustomVariableSupport<VigilDataSource, VariableQuery, VigilQuery, VigilOptions> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: VigilDataSource) {
    super();
  }

  query(request: DataQueryRequest<VariableQuery>): Observable<DataQueryResponse> {
    const [target] = request.targets;
    return from(this.datasource.variableValues(target, request.scopedVars).then((data) => ({ data })));
  }
}
